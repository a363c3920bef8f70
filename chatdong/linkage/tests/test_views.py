"""The list and review pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.linkage.models import CandidatePair, ClientList, ClientRecord
from chatdong.linkage.tests.helpers import client_csv, world_rows
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def _post_file(client, tmp_path: Path, rows=None):
    path = client_csv(tmp_path / "list.csv", rows or world_rows())
    return client.post(
        reverse("linkage:client_list_index"),
        {"file": SimpleUploadedFile("list.csv", path.read_bytes(), "text/csv")},
    )


def test_upload_then_review_with_htmx(world: World, tmp_path: Path, login_client) -> None:
    client = login_client(world.users[Role.AGENCY_WORKER])
    response = _post_file(client, tmp_path)
    created = ClientList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("linkage:client_list_detail", args=[created.pk])
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "김*일" in html and "생년월일의 월·일이 바뀜" in html
    pair = CandidatePair.objects.get(client_list=created, resident=world.r_z1)
    row = client.post(
        reverse("linkage:pair_decide", args=[pair.pk]), {"decision": "merge"}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert "같은 사람" in row.content.decode() and "되돌리기" in row.content.decode()
    assert ClientRecord.objects.get(pk=pair.record_id).resident_id == world.r_z1.pk
    undo = client.post(reverse("linkage:pair_undo", args=[pair.pk]), HTTP_HX_REQUEST="true")
    assert undo.status_code == 200
    assert ClientRecord.objects.get(pk=pair.record_id).resident_id is None


def test_failed_upload_shows_errors(world: World, tmp_path: Path, login_client) -> None:
    client = login_client(world.users[Role.AGENCY_WORKER])
    response = _post_file(client, tmp_path, [["", "1950-03-01", "", "", ""]])
    html = client.get(response["Location"]).content.decode()
    assert "성명이 비어 있습니다" in html
    assert "아무것도 반영하지 않았습니다" in html


def test_staff_sees_full_names(world: World, tmp_path: Path, login_client) -> None:
    _post_file(login_client(world.users[Role.AGENCY_WORKER]), tmp_path)
    created = ClientList.objects.get()
    html = (
        login_client(world.users[Role.PLANNER_POVERTY])
        .get(reverse("linkage:client_list_detail", args=[created.pk]))
        .content.decode()
    )
    assert "김가일" in html


def test_pages_denied_change_nothing(world: World, tmp_path: Path, login_client) -> None:
    _post_file(login_client(world.users[Role.AGENCY_WORKER]), tmp_path)
    created = ClientList.objects.get()
    pair = CandidatePair.objects.get(client_list=created, resident=world.r_z1)
    logs = AccessLog.objects.count()
    support = login_client(world.users[Role.SUPPORT_TEAM])
    assert support.get(reverse("linkage:client_list_index")).status_code == 403
    assert _post_file(support, tmp_path).status_code == 403
    outsider = login_client(world.staff_x)
    assert outsider.get(reverse("linkage:client_list_detail", args=[created.pk])).status_code == 404
    assert (
        outsider.post(reverse("linkage:pair_decide", args=[pair.pk]), {"decision": "merge"}).status_code
        == 404
    )
    assert (ClientList.objects.count(), AccessLog.objects.count()) == (1, logs)
    assert CandidatePair.objects.get(pk=pair.pk).status == "pending"
