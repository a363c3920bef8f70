"""audit.services: the write path's own checks."""

from __future__ import annotations

import datetime as dt

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog, AccessLogSubject, AuditChainHead, AuditReview
from chatdong.audit.services import access_log_record, audit_review_record
from chatdong.core.errors import PermissionDenied, ValidationFailed
from chatdong.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_download_without_reason_writes_nothing():
    user = UserFactory(role=Role.DISTRICT_STAFF)
    with pytest.raises(ValidationFailed, match="사유를 적어야"):
        access_log_record(user=user, request=None, action="download", object_type="import_errors", reason=" ")
    assert (AccessLog.objects.count(), AccessLogSubject.objects.count(), AuditChainHead.objects.count()) == (
        0,
        0,
        0,
    )


def test_entries_chain_to_each_other_and_index_subjects_once():
    user = UserFactory(role=Role.PLANNER_ELDER)
    first = access_log_record(
        user=user, request=None, action="search", object_type="resident", subjects=[3, 3, 4]
    )
    second = access_log_record(user=user, request=None, action="view", object_type="resident", subjects=[4])
    assert first.prev_hash == "0" * 64 and second.prev_hash == first.hash
    assert first.subjects == [3, 3, 4] and first.subject_count == 3
    assert sorted(AccessLogSubject.objects.values_list("log_id", "resident_id")) == [
        (first.pk, 3),
        (first.pk, 4),
        (second.pk, 4),
    ]
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash) == (second.pk, second.hash)


def test_only_reviewers_record_a_review():
    planner = UserFactory(role=Role.PLANNER_ELDER)
    with pytest.raises(PermissionDenied):
        audit_review_record(
            reviewer=planner, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 1, 31), findings="x"
        )
    assert AuditReview.objects.count() == 0
