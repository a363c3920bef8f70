"""Two receivers answering one referral at the same moment (two case workers of the agency it was sent
to): the row lock (services._locked) lets exactly one through; the other is told the state changed.
PostgreSQL only: it needs two real connections running at once, which SQLite serialises on its own."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from chatdong.accounts.models import Role, Scope
from chatdong.core.errors import ValidationFailed
from chatdong.referrals import services
from chatdong.referrals.models import Referral, ReferralEvent
from chatdong.testing.world import staff_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two concurrent connections"),
]


def test_two_workers_accepting_at_once_one_wins(world, send, monkeypatch) -> None:
    referral = send()
    first = world.users[Role.AGENCY_WORKER]
    second = staff_member(
        username="u-agency-second", role=Role.AGENCY_WORKER, scope=Scope.AGENCY, agency=world.agency
    )
    # The first worker holds the lock a moment while recording, so that the second one's attempt
    # certainly comes while the first transaction is open.
    locked = threading.Event()
    record = services._record

    def slow_record(**kwargs: Any) -> Any:
        if kwargs["actor"].pk == first.pk:
            locked.set()
            time.sleep(0.5)
        return record(**kwargs)

    monkeypatch.setattr(services, "_record", slow_record)
    outcomes: dict[str, str] = {}

    def accept(who: str, actor: Any, wait: threading.Event | None) -> None:
        try:
            if wait is not None:
                assert wait.wait(5)
            services.referral_accept(actor=actor, referral=referral)
            outcomes[who] = "accepted"
        except ValidationFailed:
            outcomes[who] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=("first", first, None)),
        threading.Thread(target=accept, args=("second", second, locked)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes == {"first": "accepted", "second": "refused"}
    referral.refresh_from_db()
    assert (referral.status, referral.accepted_by_id) == (Referral.Status.ACCEPTED, first.pk)
    assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1
