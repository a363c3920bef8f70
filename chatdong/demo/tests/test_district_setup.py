"""The district preset and its setup (service and command)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from chatdong.accounts.districts import PRESETS, SEONGBUK
from chatdong.accounts.models import Ban, District, Dong, Tong
from chatdong.accounts.services import district_setup
from chatdong.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_preset_has_the_twenty_dong_of_seongbuk() -> None:
    assert SEONGBUK.code == "1129000000"
    assert len(SEONGBUK.dongs) == 20
    assert len({d.code for d in SEONGBUK.dongs}) == 20
    assert all(d.code.startswith("11290") and len(d.code) == 10 for d in SEONGBUK.dongs)
    assert SEONGBUK.population == 425_000
    by_name = {d.name: d for d in SEONGBUK.dongs}
    assert by_name["종암동"].population == max(d.population for d in SEONGBUK.dongs)
    assert by_name["장위2동"].population == min(d.population for d in SEONGBUK.dongs)
    assert (by_name["성북동"].tongs, by_name["성북동"].bans) == (21, 177)


def test_every_dong_has_fifteen_to_twenty_five_tong_of_seven_to_nine_ban() -> None:
    for dong in SEONGBUK.dongs:
        per_tong = dong.bans_per_tong()
        assert 15 <= dong.tongs <= 25, dong.name
        assert len(per_tong) == dong.tongs
        assert sum(per_tong) == dong.bans
        assert set(per_tong) <= {7, 8, 9}, dong.name
        assert dong.roads and 0 < dong.apartment_share < 1


def test_district_setup_creates_the_district_and_its_dong() -> None:
    district = district_setup(preset="seongbuk")

    assert (district.name, district.code) == ("성북구", "1129000000")
    assert list(
        Dong.objects.filter(district=district).order_by("code").values_list("code", "name")
    ) == sorted((d.code, d.name) for d in SEONGBUK.dongs)
    assert Tong.objects.count() == 0  # 통/반 come from the import
    assert Ban.objects.count() == 0


def test_district_setup_is_idempotent_and_restores_names() -> None:
    first = district_setup()
    Dong.objects.filter(code="1129070500").update(name="옛이름동")

    second = district_setup()

    assert second.pk == first.pk
    assert District.objects.count() == 1
    assert Dong.objects.count() == 20
    assert Dong.objects.get(code="1129070500").name == "종암동"


def test_unknown_preset_is_refused_and_writes_nothing() -> None:
    with pytest.raises(ValidationFailed, match="알 수 없는 구 설정"):
        district_setup(preset="nowhere")

    assert District.objects.count() == 0
    assert Dong.objects.count() == 0


def test_setup_district_command_lists_the_dong() -> None:
    out = StringIO()

    call_command("setup_district", "--preset", "seongbuk", stdout=out)

    text = out.getvalue()
    assert "성북구(1129000000): 행정동 20개" in text
    assert "1129052500 성북동" in text
    assert "1129081000 석관동" in text
    assert Dong.objects.count() == 20
    assert set(PRESETS) == {"seongbuk"}
