"""Importing extracts from the command line and as a background task; who may import; the progress and
error-report selectors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus

from chatdong.accounts.models import Role, User
from chatdong.core.errors import PermissionDenied
from chatdong.registry import services
from chatdong.registry.importer import progress_cache_key
from chatdong.registry.models import ImportBatch, ImportRowError, Resident
from chatdong.registry.selectors import import_errors_csv, import_errors_rows, import_progress
from chatdong.registry.tasks import import_batch_run_task
from chatdong.registry.tests.test_import_files import (
    dongs,  # noqa: F401 - a fixture, used by pytestmark
    family,
    person,
    write_extract,
)
from chatdong.testing.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dongs")]


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_residents", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_exits_normally(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "extract.csv", family())

    out, _err = run_command(str(path))

    assert out == "3행 반영: 새로 등록 3명, 변경 0명, 변경 없음 0명, 자료에 없어 전출 처리 0명\n"
    assert Resident.objects.count() == 3
    assert not (tmp_path / "extract.errors.csv").exists()


def test_command_prints_and_writes_every_error_and_exits_with_1(tmp_path: Path) -> None:
    rows = [*family(), person(세대번호="11290525-000009", 주민등록번호="610230-2123456", 전입일="=1+1")]
    path = write_extract(tmp_path / "extract.csv", rows)

    with pytest.raises(CommandError) as failure:
        run_command(str(path))

    assert failure.value.returncode == 1
    errors_file = tmp_path / "extract.errors.csv"
    assert str(failure.value) == (
        f"오류 2건이 있어 아무것도 반영하지 않았습니다. 파일을 고쳐 다시 올려 주세요. 오류 목록: {errors_file}"
    )
    assert Resident.objects.count() == 0
    assert errors_file.read_bytes().decode("utf-8") == (
        "\ufeff행,열,값,사유\r\n"
        "5,주민등록번호,610230-2******,주민등록번호 앞자리 '610230'는 없는 생년월일입니다\r\n"
        "5,전입일,'=1+1,날짜는 YYYY-MM-DD 형식이어야 합니다(예: 2021-03-15)\r\n"
    )


def test_command_prints_errors_to_the_terminal_and_honours_errors_out(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_extract(tmp_path / "extract.csv", [person(통="0")])
    out_file = tmp_path / "report" / "errors.csv"
    out_file.parent.mkdir()
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_residents", str(path), "--errors-out", str(out_file), "--no-progress", stderr=err
        )

    assert err.getvalue() == "2행 [통] 값 '0': 1 이상 999 이하의 숫자여야 합니다\n"
    assert (
        out_file.read_text(encoding="utf-8-sig").splitlines()[1] == "2,통,0,1 이상 999 이하의 숫자여야 합니다"
    )


def test_command_records_the_user_it_is_given(tmp_path: Path) -> None:
    admin = UserFactory(role=Role.ADMIN, username="root-admin")

    run_command(str(write_extract(tmp_path / "x.csv", family())), "--user", "root-admin")

    assert ImportBatch.objects.get().uploaded_by == admin


def test_command_refuses_a_user_who_may_not_import(tmp_path: Path) -> None:
    UserFactory(role=Role.PLANNER_ELDER, username="planner")

    with pytest.raises(CommandError, match="주민 자료를 등록할 권한이 없습니다"):
        run_command(str(write_extract(tmp_path / "x.csv", family())), "--user", "planner")

    assert (ImportBatch.objects.count(), Resident.objects.count()) == (0, 0)


def test_command_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="파일이 없습니다"):
        run_command(str(tmp_path / "nothing.csv"))


# -- services: create, run, task ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISTRICT_STAFF, Role.ADMIN])
def test_import_roles_may_create_a_batch(role: Role) -> None:
    user = cast(User, UserFactory(role=role))

    batch = services.import_batch_create(actor=user, filename="2025-04.csv", stored_path="/var/x.csv")

    assert (batch.status, batch.uploaded_by, batch.filename) == (
        ImportBatch.Status.QUEUED,
        user,
        "2025-04.csv",
    )


@pytest.mark.parametrize("role", [Role.PLANNER_ELDER, Role.DONG_HEAD, Role.SUPPORT_TEAM, Role.AGENCY_WORKER])
def test_other_roles_may_not_create_a_batch(role: Role) -> None:
    user = cast(User, UserFactory(role=role))

    with pytest.raises(PermissionDenied):
        services.import_batch_create(actor=user, filename="x.csv", stored_path="/var/x.csv")

    assert ImportBatch.objects.count() == 0


def test_inactive_import_staff_may_not_create_a_batch() -> None:
    user = cast(User, UserFactory(role=Role.ADMIN, is_active=False))

    with pytest.raises(PermissionDenied):
        services.import_batch_create(actor=user, filename="x.csv", stored_path="/var/x.csv")

    assert ImportBatch.objects.count() == 0


def test_task_runs_the_import(tmp_path: Path) -> None:
    user = cast(User, UserFactory(role=Role.DISTRICT_STAFF))
    path = write_extract(tmp_path / "upload.csv", family())
    batch = services.import_batch_create(actor=user, filename="upload.csv", stored_path=str(path))

    result = import_batch_run_task.enqueue(batch.pk)

    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, "succeeded")
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows) == (ImportBatch.Status.SUCCEEDED, 3)
    assert Resident.objects.filter(last_import=batch).count() == 3


def test_a_batch_runs_only_once(tmp_path: Path) -> None:
    batch = services.residents_import(path=write_extract(tmp_path / "x.csv", family()), actor=None)
    finished_at = batch.finished_at

    again = services.import_batch_run(batch_id=batch.pk)

    assert (again.status, again.finished_at) == (ImportBatch.Status.SUCCEEDED, finished_at)
    assert ImportBatch.objects.count() == 1


def test_progress_is_reported_while_running(tmp_path: Path) -> None:
    rows = [
        person(세대번호=f"11290525-{n:06d}", 주민등록번호=f"6105{n + 10:02d}-2123456", 성명=f"주민{n}")
        for n in range(1, 6)
    ]
    calls: list[tuple[int, int]] = []

    services.residents_import(
        path=write_extract(tmp_path / "x.csv", rows), actor=None, progress=lambda d, t: calls.append((d, t))
    )

    assert calls[0] == (0, 5)
    assert calls[-1] == (5, 5)


# -- selectors -----------------------------------------------------------------------------------------


def test_progress_of_a_running_batch_comes_from_the_shared_cache() -> None:
    batch = services.import_batch_create(actor=None, filename="x.csv", stored_path="/x.csv")
    cache.delete(progress_cache_key(batch.pk))  # ids repeat between tests; the cache outlives them
    assert import_progress(batch=batch) == (0, 0)

    cache.set(progress_cache_key(batch.pk), (1200, 425000))

    assert import_progress(batch=batch) == (1200, 425000)


def test_progress_of_a_finished_batch_is_complete(tmp_path: Path) -> None:
    batch = services.residents_import(path=write_extract(tmp_path / "x.csv", family()), actor=None)

    assert import_progress(batch=batch) == (3, 3)


def test_error_report_lists_every_error_in_row_order() -> None:
    batch = services.import_batch_create(actor=None, filename="x.csv", stored_path="/x.csv")
    ImportRowError.objects.create(batch=batch, row=7, column="성명", value="", reason="값이 비어 있습니다")
    ImportRowError.objects.create(batch=batch, row=0, column="파일", value="", reason="빈 파일입니다.")
    ImportRowError.objects.create(batch=batch, row=3, column="통", value="-1", reason="숫자만 적어야 합니다")
    ImportRowError.objects.create(batch=batch, row=3, column="성명", value="@SUM(A1)", reason="이상한 값")

    assert list(import_errors_rows(batch=batch)) == [
        (0, "파일", "", "빈 파일입니다."),
        (3, "통", "-1", "숫자만 적어야 합니다"),
        (3, "성명", "@SUM(A1)", "이상한 값"),
        (7, "성명", "", "값이 비어 있습니다"),
    ]
    assert list(import_errors_csv(batch=batch)) == [
        "\ufeff행,열,값,사유\r\n",
        "-,파일,,빈 파일입니다.\r\n",
        "3,통,-1,숫자만 적어야 합니다\r\n",
        "3,성명,'@SUM(A1),이상한 값\r\n",
        "7,성명,,값이 비어 있습니다\r\n",
    ]
