"""The linkage API: live check (POST), lists, pairs, decisions — success and denied-with-nothing-changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.rrn import decrypt_rrn
from chatdong.linkage.models import CandidatePair, ClientList, ClientRecord, PairDecision
from chatdong.linkage.tests.helpers import client_csv, world_rows
from chatdong.testing.api import bearer_client
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def _upload(client, tmp_path: Path, rows=None):
    path = client_csv(tmp_path / "list.csv", rows or world_rows())
    return client.post(
        "/api/v1/linkage/lists", {"file": SimpleUploadedFile("list.csv", path.read_bytes(), "text/csv")}
    )


def test_live_check_by_identity_number_in_the_body(world: World) -> None:
    rrn = decrypt_rrn(world.r_z1.rrn_encrypted)
    response = bearer_client(world.users[Role.COUNSELOR]).post(
        "/api/v1/linkage/live-check", {"rrn": rrn}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [(c["resident_id"], c["exact_rrn"], c["evidence"]) for c in body] == [
        (world.r_z1.pk, True, ["주민등록번호 일치"])
    ]
    assert rrn not in str(AccessLog.objects.get(action=AccessLog.Action.SEARCH).detail)


def test_live_check_denied(world: World) -> None:
    response = bearer_client(world.users[Role.AGENCY_WORKER]).post(
        "/api/v1/linkage/live-check", {"name": "김가일"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 0


def test_upload_status_pairs_decide_undo(world: World, tmp_path: Path) -> None:
    client = bearer_client(world.users[Role.AGENCY_WORKER])
    response = _upload(client, tmp_path)
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["total_rows"]) == ("done", 4)
    status = client.get(f"/api/v1/linkage/lists/{created['id']}").json()
    assert status["pair_count"] == CandidatePair.objects.count()
    pairs = client.get(f"/api/v1/linkage/lists/{created['id']}/pairs", {"status": "pending"}).json()
    first = next(p for p in pairs["items"] if p["resident"]["id"] == world.r_z1.pk)
    # An agency worker sees the resident's name masked and no birth date.
    assert first["resident"] == {"id": world.r_z1.pk, "name": "김*일", "birth_date": None, "dong": "가동"}
    assert first["record"]["row"] == 2
    decided = client.post(
        f"/api/v1/linkage/pairs/{first['id']}/decision",
        {"decision": "merge"},
        content_type="application/json",
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "merged"
    assert decided.json()["record"]["resident_id"] == world.r_z1.pk
    undone = client.post(f"/api/v1/linkage/pairs/{first['id']}/undo")
    assert (undone.status_code, undone.json()["status"], undone.json()["record"]["resident_id"]) == (
        200,
        "pending",
        None,
    )


def test_upload_with_errors_answers_failed_list(world: World, tmp_path: Path) -> None:
    client = bearer_client(world.users[Role.AGENCY_WORKER])
    created = _upload(client, tmp_path, [["김가일", "어제", "", "", ""]]).json()
    assert (created["status"], created["error_count"]) == ("failed", 1)
    errors = client.get(f"/api/v1/linkage/lists/{created['id']}/errors").json()
    assert errors == [
        {
            "row": 2,
            "column": "생년월일",
            "value": "어제",
            "reason": "날짜는 YYYY-MM-DD 형식이어야 합니다(예: 2021-03-15)",
        }
    ]
    assert ClientRecord.objects.count() == 0


def test_upload_denied_changes_nothing(world: World, tmp_path: Path) -> None:
    response = _upload(bearer_client(world.users[Role.HEALTH_MEDICAL]), tmp_path)
    assert response.status_code == 403
    assert (ClientList.objects.count(), AccessLog.objects.count()) == (0, 0)


def test_decision_out_of_scope_is_404_and_changes_nothing(world: World, tmp_path: Path) -> None:
    created = _upload(bearer_client(world.users[Role.AGENCY_WORKER]), tmp_path).json()
    pair = CandidatePair.objects.get(client_list_id=created["id"], resident=world.r_z1)
    logs = AccessLog.objects.count()
    response = bearer_client(world.staff_x).post(
        f"/api/v1/linkage/pairs/{pair.pk}/decision", {"decision": "not_same"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert bearer_client(world.staff_x).get(f"/api/v1/linkage/lists/{created['id']}").status_code == 404
    assert CandidatePair.objects.get(pk=pair.pk).status == "pending"
    assert (PairDecision.objects.count(), AccessLog.objects.count()) == (0, logs)
