"""`chatdong audit-verify` and the chain walk: untampered passes; every kind of tampering is caught at
the row where it happened."""

from __future__ import annotations

from io import StringIO
from typing import cast

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog, AccessLogSubject, AuditChainHead
from chatdong.audit.services import audit_chain_check
from chatdong.audit.tests.helpers import log_entry
from chatdong.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs() -> list[AccessLog]:
    user = cast(User, UserFactory(username="planner"))
    return [
        log_entry(user, object_id=i, subjects=[i, i + 100], reason="확인" if i % 2 else "")
        for i in range(1, 6)
    ]


def run() -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def test_untampered_chain_is_ok(logs):
    assert run() == (0, ["OK: 접속기록 5건, 해시 체인 이상 없음"])


def test_empty_log_is_ok(db):
    assert run() == (0, ["OK: 접속기록 0건, 해시 체인 이상 없음"])


def test_changed_reason_through_the_orm_is_found_at_that_row(logs):
    AccessLog.objects.filter(pk=logs[2].pk).update(reason="나중에 고친 사유")
    assert run() == (1, [f"#{logs[2].pk}: 기록 내용이 변경되었습니다"])


def test_changed_ip_through_sql_is_found_at_that_row(logs):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AccessLog._meta.db_table} SET ip = %s WHERE id = %s", ["10.9.9.9", logs[1].pk]
        )
    assert run() == (1, [f"#{logs[1].pk}: 기록 내용이 변경되었습니다"])


def test_changed_subjects_are_found(logs):
    AccessLog.objects.filter(pk=logs[3].pk).update(subjects=[4])
    assert run() == (1, [f"#{logs[3].pk}: 기록 내용이 변경되었습니다"])


def test_deleted_middle_row_breaks_the_next_link(logs):
    AccessLog.objects.filter(pk=logs[2].pk).delete()
    assert run() == (1, [f"#{logs[3].pk}: 앞 기록과의 연결이 끊겼습니다(삭제 또는 변조)"])


def test_deleted_last_row_is_found_through_the_head(logs):
    AccessLog.objects.filter(pk=logs[-1].pk).delete()
    assert run() == (1, [f"#{logs[-1].pk}: 마지막 기록이 삭제되었습니다"])


def test_deleted_first_row_is_found(logs):
    AccessLog.objects.filter(pk=logs[0].pk).delete()
    assert run() == (1, [f"#{logs[1].pk}: 앞 기록과의 연결이 끊겼습니다(삭제 또는 변조)"])


def test_forged_row_appended_at_the_end(logs):
    head = AuditChainHead.objects.get()
    forged = AccessLog.objects.create(
        at=logs[-1].at,
        username="intruder",
        action="view",
        object_type="resident",
        prev_hash=head.last_hash,
        hash="f" * 64,
    )
    assert run() == (
        1,
        [f"#{forged.pk}: 기록 내용이 변경되었습니다", f"#{forged.pk}: 체인 끝 뒤에 기록이 덧붙여졌습니다"],
    )


def test_forged_row_put_in_place_of_a_deleted_one(logs):
    victim = logs[2]
    AccessLog.objects.filter(pk=victim.pk).delete()
    AccessLog.objects.create(
        pk=victim.pk,
        at=victim.at,
        username=victim.username,
        action="view",
        object_type="resident",
        object_id=victim.object_id,
        subjects=[],
        prev_hash=victim.prev_hash,
        hash="e" * 64,
    )
    assert run() == (
        1,
        [
            f"#{victim.pk}: 기록 내용이 변경되었습니다",
            f"#{logs[3].pk}: 앞 기록과의 연결이 끊겼습니다(삭제 또는 변조)",
        ],
    )


def test_check_report_counts_rows(logs):
    AccessLog.objects.filter(pk=logs[0].pk).update(object_id="999")
    report = audit_chain_check()
    assert report.checked == 5
    assert [(p.log_id, p.reason) for p in report.problems] == [(logs[0].pk, "기록 내용이 변경되었습니다")]
    assert not report.intact


def test_every_subject_is_indexed(logs):
    assert sorted(AccessLogSubject.objects.filter(log=logs[0]).values_list("resident_id", flat=True)) == [
        1,
        101,
    ]
    assert AccessLogSubject.objects.count() == 10


def test_cut_off_end_with_rewritten_head_is_found_through_the_last_review(logs):
    import datetime as dt

    from chatdong.accounts.models import Role
    from chatdong.audit.services import audit_review_record

    reviewer = cast(User, UserFactory(username="reviewer", role=Role.DISTRICT_STAFF))
    review = audit_review_record(
        reviewer=reviewer,
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 12, 31),
        findings="이상 없음",
    )
    assert (review.chain_head_id, review.chain_intact) == (logs[-1].pk, True)
    # Someone with database access deletes the last two rows and points the head at the new end.
    AccessLog.objects.filter(pk__in=[logs[-1].pk, logs[-2].pk]).delete()
    AuditChainHead.objects.filter(pk=1).update(last_id=logs[-3].pk, last_hash=logs[-3].hash)
    assert run() == (1, [f"#{logs[-1].pk}: 접속기록 점검 때 있던 기록이 사라졌습니다"])
