"""`chatdong link-clients FILE --out PAIRS.csv`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chatdong.audit.models import AccessLog
from chatdong.linkage.tests.helpers import client_csv, world_rows
from chatdong.testing.world import World

pytestmark = pytest.mark.django_db


def test_writes_one_row_per_candidate_pair(world: World, tmp_path: Path) -> None:
    source = client_csv(tmp_path / "clients.csv", world_rows())
    out = tmp_path / "pairs.csv"
    call_command("link_clients", str(source), "--out", str(out), "--district", "1129000000", "--no-progress")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["row", "resident_id", "score", "decision", "evidence"]
    first = [r for r in rows if r["row"] == "2" and r["resident_id"] == str(world.r_z1.pk)]
    assert [(r["decision"], r["evidence"]) for r in first] == [
        ("match", "이름 일치, 생년월일의 월·일이 바뀜, 전화번호 일치, 주소 없음")
    ]
    assert 0.92 <= float(first[0]["score"]) <= 1.0
    assert str(world.r_x.pk) not in {r["resident_id"] for r in rows}  # other district
    assert {r["decision"] for r in rows} <= {"match", "review", "non-match"}
    log = AccessLog.objects.get(object_type="client_file_pairs")
    assert (log.action, log.reason) == (AccessLog.Action.DOWNLOAD, "기관 대상자 명단 대조(명령줄)")


def test_bad_input_exits_non_zero_and_writes_nothing(world: World, tmp_path: Path, capsys) -> None:
    source = client_csv(tmp_path / "clients.csv", [["김가일", "1950-02-30", "", "", ""]])
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError) as caught:
        call_command("link_clients", str(source), "--out", str(out), "--no-progress")
    assert caught.value.returncode == 1
    assert "2행 [생년월일] 값 '1950-02-30': 없는 날짜입니다" in capsys.readouterr().err
    assert not out.exists()
    assert AccessLog.objects.count() == 0


def test_a_resident_listed_twice_is_one_match_and_one_review(world: World, tmp_path: Path) -> None:
    """An agency lists each client once: two rows that both match one resident cannot both be her."""
    rows = [
        ["김가일", "1950-03-01", "010-1111-0001", "", "C-1"],  # exact: the likelier row
        ["김가일", "1950-01-03", "010-1111-0001", "", "C-9"],  # swapped birth date
    ]
    source = client_csv(tmp_path / "clients.csv", rows)
    out = tmp_path / "pairs.csv"
    call_command("link_clients", str(source), "--out", str(out), "--district", "1129000000", "--no-progress")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        pairs = [r for r in csv.DictReader(handle) if r["resident_id"] == str(world.r_z1.pk)]
    assert sorted((r["row"], r["decision"]) for r in pairs) == [("2", "match"), ("3", "review")]


def test_the_thresholds_are_settings(world: World, tmp_path: Path, settings) -> None:
    """A district that wants every suggestion reviewed raises the match threshold above any score."""
    settings.CHATDONG_LINKAGE_THRESHOLDS = {"match": 1.01, "review": 0.10}
    source = client_csv(tmp_path / "clients.csv", world_rows())
    out = tmp_path / "pairs.csv"
    call_command("link_clients", str(source), "--out", str(out), "--district", "1129000000", "--no-progress")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = [r for r in rows if r["row"] == "2" and r["resident_id"] == str(world.r_z1.pk)]
    assert [r["decision"] for r in first] == ["review"]
    assert "match" not in {r["decision"] for r in rows}
