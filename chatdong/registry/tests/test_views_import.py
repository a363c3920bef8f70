"""The import pages: upload → background task → progress → summary or errors (+ logged download)."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chatdong.audit.models import AccessLog
from chatdong.registry import services
from chatdong.registry.extract_format import HEADERS
from chatdong.registry.models import ImportBatch, ImportRowError, Resident
from chatdong.registry.tests import scenario

pytestmark = pytest.mark.django_db
LIST = reverse("registry:import_list")


@pytest.fixture
def s(settings, tmp_path) -> scenario.Scenario:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # import progress lives in the cache, keyed by batch id
    return scenario.build()


def extract(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADERS)]
    for row in rows:
        lines.append(",".join(row.get(h, "") for h in HEADERS))
    return ("\n".join(lines) + "\n").encode("utf-8")


def person(**values: str) -> dict[str, str]:
    row = {
        "세대번호": "H-9001",
        "세대주관계": "본인",
        "성명": "홍길순",
        "주민등록번호": "700101-2345678",
        "전화번호": "010-5555-0101",
        "행정동코드": "1129099001",
        "통": "1",
        "반": "1",
        "도로명": "성북로",
        "건물본번": "30",
    }
    row.update(values)
    return row


GOOD = extract(person(), person(성명="홍아들", 세대주관계="자녀", 주민등록번호="050505-3456789"))
BAD = extract(person(), person(성명="오류", 주민등록번호="701301-2345678"))


def upload(client, content: bytes, name: str = "extract.csv"):
    return client.post(LIST, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def stored_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_import_page_lists_past_batches_and_the_columns(s, login_client):
    services.import_batch_create(actor=s.district_staff, filename="2024-12.csv", stored_path="/nowhere")
    response = login_client(s.district_staff).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "주민자료 등록" in body and "2024-12.csv" in body and "대기" in body
    assert "주민등록번호" in body and "13자리" in body  # the format table


def test_upload_waits_in_a_private_file_until_the_worker_runs(s, login_client, settings, monkeypatch):
    from chatdong.registry import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks, "import_batch_run_task", SimpleNamespace(enqueue=queued.append))
    upload(login_client(s.district_staff), GOOD)
    batch = ImportBatch.objects.get()
    assert queued == [batch.pk] and batch.status == "queued"
    files = stored_files(settings)
    assert [str(f) for f in files] == [batch.stored_path]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert files[0].read_bytes() == GOOD


def test_upload_runs_the_import_and_shows_the_summary(s, login_client, settings):
    client = login_client(s.district_staff)
    before = Resident.objects.count()
    response = upload(client, GOOD)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_detail", args=[batch.pk])
    assert (batch.status, batch.filename, batch.uploaded_by) == ("succeeded", "extract.csv", s.district_staff)
    stored = Path(batch.stored_path)
    assert stored.parent == Path(settings.MEDIA_ROOT) / "imports"
    assert stored.suffix == ".csv" and stored.name != "extract.csv"
    # The upload holds identity numbers in clear: it is deleted once imported.
    assert stored_files(settings) == []
    assert Resident.objects.count() == before + 2

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "반영 결과" in body and "완료" in body
    assert dict(page.context["summary"])["새로 등록"] == 2
    assert dict(page.context["summary"])["처리한 행"] == 2
    assert "import-progress" not in body


def test_failed_import_shows_every_error_and_writes_nothing(s, login_client):
    client = login_client(s.district_staff)
    before = Resident.objects.count()
    response = upload(client, BAD)
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert Resident.objects.count() == before
    errors = list(ImportRowError.objects.filter(batch=batch).values_list("row", "column"))
    assert errors == [(3, "주민등록번호")]
    logs_before = AccessLog.objects.count()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "등록하지 못했습니다. 아무것도 반영되지 않았습니다." in body
    assert "오류 목록 <small" in body and "주민등록번호" in body
    assert [(e.row, e.column) for e in page.context["errors_page"].object_list] == [(3, "주민등록번호")]
    log = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == logs_before + 1
    assert (log.action, log.object_type, log.object_id, log.username) == (
        "view",
        "import_errors",
        str(batch.pk),
        "gu_staff",
    )


def test_download_errors_with_a_reason_is_logged(s, login_client):
    client = login_client(s.district_staff)
    upload(client, BAD)
    batch = ImportBatch.objects.get()
    url = reverse("registry:import_errors", args=[batch.pk])
    response = client.post(url, {"reason": "오류 행 수정 후 재등록"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{batch.pk}-errors.csv"'
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[0] == "\ufeff행,열,값,사유"
    assert len(lines) == 2 and lines[1].startswith("3,주민등록번호,")
    log = AccessLog.objects.order_by("-id").first()
    assert (log.action, log.object_type, log.object_id, log.reason, log.username) == (
        "download",
        "import_errors",
        str(batch.pk),
        "오류 행 수정 후 재등록",
        "gu_staff",
    )


def test_download_without_reason_is_refused_and_not_logged(s, login_client):
    client = login_client(s.district_staff)
    upload(client, BAD)
    batch = ImportBatch.objects.get()
    count = AccessLog.objects.count()
    page = client.get(reverse("registry:import_errors", args=[batch.pk]))
    assert page.status_code == 200 and "내려받는 사유" in page.content.decode()
    response = client.post(reverse("registry:import_errors", args=[batch.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "사유를 적어 주세요." in response.content.decode()
    assert AccessLog.objects.count() == count


def test_queued_batch_shows_a_polling_progress_bar(s, login_client):
    batch = services.import_batch_create(actor=s.admin, filename="big.csv", stored_path="/nowhere")
    client = login_client(s.admin)
    body = client.get(reverse("registry:import_detail", args=[batch.pk])).content.decode()
    progress_url = reverse("registry:import_progress", args=[batch.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in body
    assert '<meta http-equiv="refresh" content="2">' in body  # without JavaScript
    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "처리 대기 중" in fragment.content.decode() and "0행 읽음" in fragment.content.decode()
    assert '<span id="batch-status" hx-swap-oob="true">' in fragment.content.decode()  # the badge too
    assert "HX-Refresh" not in fragment


def test_progress_of_a_finished_batch_reloads_the_page(s, login_client):
    client = login_client(s.admin)
    upload(client, GOOD)
    batch = ImportBatch.objects.get()
    response = client.get(
        reverse("registry:import_progress", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true"
    response = client.get(reverse("registry:import_progress", args=[batch.pk]))
    assert "2 / 2행 (100%)" in response.content.decode()
    assert "hx-swap-oob" not in response.content.decode()


def test_wrong_file_type_is_refused(s, login_client, settings):
    response = upload(login_client(s.district_staff), b"hello", name="extract.txt")
    assert response.status_code == 200
    assert "CSV(.csv) 또는 엑셀(.xlsx) 파일만 등록할 수 있습니다." in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize("who", ["planner", "officer", "support", "agency_worker"])
def test_other_roles_cannot_import(s, login_client, settings, who):
    batch = services.import_batch_create(actor=s.admin, filename="x.csv", stored_path="/nowhere")
    client = login_client(getattr(s, who))
    residents = Resident.objects.count()
    assert client.get(LIST).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert client.get(reverse("registry:import_detail", args=[batch.pk])).status_code == 403
    assert client.get(reverse("registry:import_progress", args=[batch.pk])).status_code == 403
    assert client.post(reverse("registry:import_errors", args=[batch.pk]), {"reason": "x"}).status_code == 403
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [batch.pk]
    assert stored_files(settings) == []
    assert Resident.objects.count() == residents
    assert AccessLog.objects.count() == 0


def test_unknown_batch_is_404(s, login_client):
    client = login_client(s.admin)
    assert client.get(reverse("registry:import_detail", args=[4242])).status_code == 404
    assert client.post(reverse("registry:import_errors", args=[4242]), {"reason": "x"}).status_code == 404
    assert AccessLog.objects.count() == 0
