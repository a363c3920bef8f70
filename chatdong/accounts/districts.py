"""District presets: a 구 and its 행정동, as `chatdong setup-district` installs them.

Codes are the 10-digit 행정동 codes. Populations are approximate resident counts (주민등록 인구) and are
used as relative sizes by the synthetic district generator; 통/반 counts follow the seed plan (성북동:
21 통, 177 반; a 동 has about 15–25 통 of 7–9 반). Roads are real 도로명 of each 동, main road first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DongPreset:
    name: str
    code: str
    slug: str  # romanised, for readable demo usernames ("jongam-planner-elder")
    population: int
    tongs: int
    bans: int
    roads: tuple[str, ...]
    apartment_share: float  # share of 반 that are apartment blocks

    def bans_per_tong(self) -> list[int]:
        """반 count of each 통 (1-based order): spread as evenly as the totals allow (7–9 each)."""
        base, extra = divmod(self.bans, self.tongs)
        # Put the larger 통 in every other place rather than all at the start: reads more like a real map.
        larger = {(i * self.tongs) // extra for i in range(extra)} if extra else set()
        return [base + (1 if i in larger else 0) for i in range(self.tongs)]


@dataclass(frozen=True)
class DistrictPreset:
    name: str
    code: str
    slug: str
    dongs: tuple[DongPreset, ...]

    @property
    def population(self) -> int:
        return sum(d.population for d in self.dongs)

    def dong(self, code: str) -> DongPreset:
        return next(d for d in self.dongs if d.code == code)


SEONGBUK = DistrictPreset(
    name="성북구",
    code="1129000000",
    slug="seongbuk",
    dongs=(
        DongPreset(
            "성북동", "1129052500", "seongbuk", 16000, 21, 177, ("성북로", "선잠로", "대사관로"), 0.15
        ),
        DongPreset(
            "삼선동", "1129055500", "samseon", 19500, 18, 146, ("삼선교로", "창경궁로", "성북로"), 0.30
        ),
        DongPreset(
            "동선동", "1129057500", "dongseon", 17000, 16, 130, ("동소문로", "보문로", "삼선교로"), 0.35
        ),
        DongPreset(
            "돈암1동", "1129058000", "donam1", 17500, 17, 137, ("아리랑로", "동소문로", "정릉로"), 0.40
        ),
        DongPreset("돈암2동", "1129059000", "donam2", 22000, 20, 162, ("동소문로", "아리랑로"), 0.65),
        DongPreset("안암동", "1129060000", "anam", 15500, 15, 118, ("인촌로", "고려대로", "안암로"), 0.25),
        DongPreset("보문동", "1129061000", "bomun", 18500, 17, 139, ("보문로", "인촌로", "보문사길"), 0.45),
        DongPreset("정릉1동", "1129062000", "jeongneung1", 21000, 19, 155, ("정릉로", "솔샘로"), 0.35),
        DongPreset("정릉2동", "1129063000", "jeongneung2", 18000, 17, 136, ("정릉로", "아리랑로"), 0.40),
        DongPreset(
            "정릉3동", "1129064000", "jeongneung3", 20000, 19, 150, ("정릉로", "북악산로", "보국문로"), 0.30
        ),
        DongPreset(
            "정릉4동", "1129065000", "jeongneung4", 25000, 22, 178, ("솔샘로", "정릉로", "보국문로"), 0.55
        ),
        DongPreset(
            "길음1동", "1129066000", "gireum1", 35000, 24, 198, ("길음로", "동소문로", "삼양로"), 0.85
        ),
        DongPreset("길음2동", "1129068500", "gireum2", 19500, 18, 145, ("삼양로", "길음로"), 0.50),
        DongPreset(
            "종암동", "1129070500", "jongam", 37000, 25, 205, ("종암로", "고려대로", "북악산로"), 0.70
        ),
        DongPreset("월곡1동", "1129071500", "wolgok1", 19000, 18, 141, ("월곡로", "화랑로"), 0.45),
        DongPreset(
            "월곡2동", "1129072500", "wolgok2", 22500, 20, 160, ("오패산로", "월곡로", "장월로"), 0.60
        ),
        DongPreset(
            "장위1동", "1129076000", "jangwi1", 23000, 20, 161, ("장월로", "돌곶이로", "한천로"), 0.55
        ),
        DongPreset(
            "장위2동", "1129077000", "jangwi2", 14000, 15, 116, ("장위로", "돌곶이로", "한천로"), 0.20
        ),
        DongPreset(
            "장위3동", "1129078000", "jangwi3", 18000, 17, 134, ("장위로", "오패산로", "한천로"), 0.35
        ),
        DongPreset(
            "석관동",
            "1129081000",
            "seokgwan",
            27000,
            23,
            185,
            ("석관로", "돌곶이로", "화랑로", "한천로"),
            0.55,
        ),
    ),
)

PRESETS: dict[str, DistrictPreset] = {"seongbuk": SEONGBUK}
