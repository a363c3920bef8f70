"""Client lists: all-or-nothing upload with Korean row errors, pairs with evidence, the review queue,
decisions remembered across re-uploads, undo of a merge, scoping."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdong.accounts.models import Role
from chatdong.audit.models import AccessLog
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.linkage import selectors, services
from chatdong.linkage.models import CandidatePair, ClientList, ClientRecord, PairDecision
from chatdong.linkage.tests.helpers import client_csv, world_rows
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def upload(
    world: World, tmp_path: Path, rows: list[list[str]], *, name: str = "list.csv", user=None
) -> ClientList:
    path = client_csv(tmp_path / name, rows)
    created = services.client_list_create(
        actor=user or world.users[Role.AGENCY_WORKER], filename=name, stored_path=str(path)
    )
    return services.client_list_run(list_id=created.pk)


def pair_of(client_list: ClientList, row: int, resident_id: int) -> CandidatePair:
    return CandidatePair.objects.get(client_list=client_list, record__row=row, resident_id=resident_id)


def test_upload_links_rows_to_residents_with_evidence(world: World, tmp_path: Path) -> None:
    done = upload(world, tmp_path, world_rows())
    assert (done.status, done.total_rows, done.error_count) == (ClientList.Status.DONE, 4, 0)
    assert ClientRecord.objects.filter(client_list=done).count() == 4
    first = pair_of(done, 2, world.r_z1.pk)
    assert (first.suggestion, first.status) == ("match", "pending")
    assert first.evidence == ["이름 일치", "생년월일의 월·일이 바뀜", "전화번호 일치", "주소 없음"]
    # An agency list is linked against the agency's whole district (동 B too), never the other district.
    assert pair_of(done, 4, world.r_b.pk).suggestion == "match"
    assert not CandidatePair.objects.filter(client_list=done, record__row=5).exists()
    assert not CandidatePair.objects.filter(resident=world.r_x).exists()
    assert not Path(ClientList.objects.get(pk=done.pk).stored_path or "/nonexistent").exists()


def test_row_errors_keep_nothing(world: World, tmp_path: Path) -> None:
    rows = [
        ["김가일", "1950-01-03", "010-1111-0001", "", "C-1"],
        ["", "1950-13-01", "12", "", "C-2"],
        ["박영수", "", "", "", "C-3"],
        ["최영희", "500301", "", "", "C-1"],
    ]
    done = upload(world, tmp_path, rows)
    assert done.status == ClientList.Status.FAILED
    assert [(e.row, e.column, e.value, e.reason) for e in done.errors.all()] == [
        (3, "성명", "", "성명이 비어 있습니다"),
        (3, "생년월일", "1950-13-01", "없는 날짜입니다"),
        (3, "전화번호", "12", "전화번호는 9~11자리 숫자여야 합니다(2자리)"),
        (
            4,
            "성명",
            "박영수",
            "성명 말고 생년월일·전화번호·주소·주민등록번호 중 하나는 있어야 비교할 수 있습니다",
        ),
        (5, "생년월일", "500301", "연도를 네 자리로 적어 주세요(예: 1950-03-01)"),
    ]
    assert ClientRecord.objects.count() == 0
    assert CandidatePair.objects.count() == 0


def test_duplicate_case_number_is_an_error(world: World, tmp_path: Path) -> None:
    rows = [["김가일", "1950-03-01", "", "", "C-1"], ["김나일", "1961-05-17", "", "", "C-1"]]
    done = upload(world, tmp_path, rows)
    assert [(e.row, e.column, e.reason) for e in done.errors.all()] == [
        (3, "기관 사례번호", "2행과 기관 사례번호가 같습니다")
    ]


def test_missing_name_column_is_one_file_error(world: World, tmp_path: Path) -> None:
    path = client_csv(tmp_path / "x.csv", [["1950-03-01"]], header=["생일"])
    created = services.client_list_create(
        actor=world.users[Role.AGENCY_WORKER], filename="x.csv", stored_path=str(path)
    )
    done = services.client_list_run(list_id=created.pk)
    assert [(e.row, e.column) for e in done.errors.all()] == [(1, "머리글")]


def test_cp949_file_is_read(world: World, tmp_path: Path) -> None:
    path = client_csv(tmp_path / "cp.csv", world_rows()[:1], encoding="cp949")
    created = services.client_list_create(
        actor=world.users[Role.AGENCY_WORKER], filename="cp.csv", stored_path=str(path)
    )
    assert services.client_list_run(list_id=created.pk).status == ClientList.Status.DONE


def test_identity_number_column_links_exactly(world: World, tmp_path: Path) -> None:
    from chatdong.core.rrn import decrypt_rrn

    rrn = decrypt_rrn(world.r_z2.rrn_encrypted)
    path = client_csv(
        tmp_path / "r.csv",
        [["딴이름", "", "", "", "", f"{rrn[:6]}-{rrn[6:]}"]],
        header=["성명", "생년월일", "전화번호", "주소", "기관 사례번호", "주민등록번호"],
    )
    created = services.client_list_create(
        actor=world.users[Role.AGENCY_WORKER], filename="r.csv", stored_path=str(path)
    )
    done = services.client_list_run(list_id=created.pk)
    pair = pair_of(done, 2, world.r_z2.pk)
    assert (pair.score, pair.suggestion, pair.evidence) == (1.0, "match", ["주민등록번호 일치"])


def test_merge_links_the_record_and_undo_restores_it(world: World, tmp_path: Path) -> None:
    worker = world.users[Role.AGENCY_WORKER]
    done = upload(world, tmp_path, world_rows())
    pair = pair_of(done, 2, world.r_z1.pk)
    services.pair_decide(actor=worker, pair_id=pair.pk, decision="merge")
    assert ClientRecord.objects.get(client_list=done, row=2).resident_id == world.r_z1.pk
    assert CandidatePair.objects.get(pk=pair.pk).status == "merged"
    with pytest.raises(ValidationFailed):
        services.pair_decide(actor=worker, pair_id=pair.pk, decision="not_same")
    services.pair_undo(actor=worker, pair_id=pair.pk)
    assert ClientRecord.objects.get(client_list=done, row=2).resident_id is None
    assert CandidatePair.objects.get(pk=pair.pk).status == "pending"
    assert PairDecision.objects.count() == 0
    logs = list(
        AccessLog.objects.filter(object_type="linkage_pair").order_by("id").values_list("detail", flat=True)
    )
    assert logs == [
        {"decision": "merge", "client_list": done.pk, "row": 2},
        {"undo": "merged", "client_list": done.pk, "row": 2},
    ]


def test_decisions_are_remembered_on_reupload(world: World, tmp_path: Path) -> None:
    worker = world.users[Role.AGENCY_WORKER]
    first = upload(world, tmp_path, world_rows(), name="a.csv")
    services.pair_decide(actor=worker, pair_id=pair_of(first, 2, world.r_z1.pk).pk, decision="merge")
    services.pair_decide(actor=worker, pair_id=pair_of(first, 4, world.r_b.pk).pk, decision="not_same")
    # The same clients again, with a new phone number for 김가일 and the rows in another order.
    rows = world_rows()
    rows[0][2] = "010-5555-0001"
    second = upload(world, tmp_path, list(reversed(rows)), name="b.csv", user=world.agency_colleague)
    assert not CandidatePair.objects.filter(client_list=second, resident=world.r_b).exists()
    merged = CandidatePair.objects.get(client_list=second, resident=world.r_z1)
    assert (merged.status, merged.remembered) == ("merged", True)
    assert ClientRecord.objects.get(pk=merged.record_id).resident_id == world.r_z1.pk
    assert second.remembered_count == 2


def test_another_agency_does_not_inherit_decisions(world: World, tmp_path: Path) -> None:
    worker = world.users[Role.AGENCY_WORKER]
    first = upload(world, tmp_path, world_rows(), name="a.csv")
    services.pair_decide(actor=worker, pair_id=pair_of(first, 4, world.r_b.pk).pk, decision="not_same")
    staff_list = upload(world, tmp_path, world_rows(), name="b.csv", user=world.planner_b)
    assert pair_of(staff_list, 4, world.r_b.pk).status == "pending"


def test_staff_upload_is_linked_within_their_scope(world: World, tmp_path: Path) -> None:
    done = upload(world, tmp_path, world_rows(), user=world.users[Role.PLANNER_POVERTY])  # 동 A
    assert set(CandidatePair.objects.filter(client_list=done).values_list("resident_id", flat=True)) == {
        world.r_z1.pk,
        world.r_z2.pk,
    }


def test_review_queue_scoping(world: World, tmp_path: Path) -> None:
    done = upload(world, tmp_path, world_rows())
    _, pairs, total = selectors.review_pairs(user=world.users[Role.AGENCY_WORKER], list_id=done.pk)
    assert total == CandidatePair.objects.filter(client_list=done).count()
    # 동 B's planner reviews only the pairs with 동 B residents.
    _, pairs, total = selectors.review_pairs(user=world.planner_b, list_id=done.pk)
    assert [p.resident_id for p in pairs] == [world.r_b.pk]
    with pytest.raises(NotFound):
        selectors.review_pairs(user=world.staff_x, list_id=done.pk)


def test_decision_outside_scope_changes_nothing(world: World, tmp_path: Path) -> None:
    done = upload(world, tmp_path, world_rows())
    pair = pair_of(done, 2, world.r_z1.pk)
    logs = AccessLog.objects.count()
    with pytest.raises(NotFound):
        services.pair_decide(actor=world.planner_b, pair_id=pair.pk, decision="merge")
    with pytest.raises(PermissionDenied):
        services.pair_decide(actor=world.users[Role.HEALTH_MEDICAL], pair_id=pair.pk, decision="merge")
    assert CandidatePair.objects.get(pk=pair.pk).status == "pending"
    assert ClientRecord.objects.get(pk=pair.record_id).resident_id is None
    assert (PairDecision.objects.count(), AccessLog.objects.count()) == (0, logs)


def test_upload_denied_for_roles_without_review(world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        services.client_list_create(actor=world.users[Role.SUPPORT_TEAM], filename="a.csv", stored_path="")
    assert ClientList.objects.count() == 0


def test_pending_pair_count(world: World, tmp_path: Path) -> None:
    done = upload(world, tmp_path, world_rows())
    total = CandidatePair.objects.filter(client_list=done).count()
    assert selectors.pending_pair_count(user=world.users[Role.AGENCY_WORKER]) == total
    assert selectors.pending_pair_count(user=world.planner_b) == 1
    assert selectors.pending_pair_count(user=world.users[Role.SUPPORT_TEAM]) == 0


def test_a_resident_listed_twice_is_suggested_once(world: World, tmp_path: Path) -> None:
    """Two rows matching one resident cannot both be her: the likelier stays a match, the other is
    suggested for review (and the counts say so)."""
    rows = [
        ["김가일", "1950-03-01", "010-1111-0001", "", "C-1"],
        ["김가일", "1950-01-03", "010-1111-0001", "", "C-9"],
    ]
    done = upload(world, tmp_path, rows)
    assert (pair_of(done, 2, world.r_z1.pk).suggestion, pair_of(done, 3, world.r_z1.pk).suggestion) == (
        "match",
        "review",
    )
    assert (done.match_count, done.review_count) == (1, done.pair_count - 1)
