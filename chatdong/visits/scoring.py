"""Server-side scoring of the screenings. Cut-offs come from settings.CHATDONG_SCREENING_CUTOFFS, so a
district (or a new validation study) changes them without code.

- GDS-15: 15 yes/no items, 1 point for "yes" except items 1, 5, 7, 11, 13 (1 point for "no").
  Positive at `gds15.positive` (8); at `gds15.sbqr_follow_up` (10) the SBQ-R is asked next.
- PHQ-9: 9 items 0–3, total 0–27, bands from `phq9` (5/10/15/20); positive at `phq9.positive` (10);
  any answer above 0 on item 9 is urgent whatever the total.
- SBQ-R (Osman 2001): item 1 scores 1–4, item 2 1–5, item 3 1–3, item 4 0–6; total 3–18; risk at
  `sbqr.risk` (7), high risk at `sbqr.high_risk` (11), which is urgent.
- K-EPDS: 10 items stored as the option position 0–3; items 3 and 5–10 are reverse-scored (3 − position);
  positive at `kepds.positive` (10); a score above 0 on item 10 (self-harm) is urgent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from chatdong.core.errors import ValidationFailed
from chatdong.visits.instruments import INSTRUMENTS


@dataclass(frozen=True)
class Result:
    kind: str
    score: int
    band: str
    positive: bool
    urgent: bool
    follow_up: str = ""  # "sbqr" when the SBQ-R should be asked next

    @property
    def refer(self) -> bool:
        """A positive or urgent screen opens a referral to 보건소 의약과."""
        return self.positive or self.urgent


def _cutoffs(kind: str) -> dict[str, int]:
    cutoffs: dict[str, dict[str, int]] = settings.CHATDONG_SCREENING_CUTOFFS
    return cutoffs[kind]


def validate_answers(kind: str, answers: object) -> list[int]:
    """The answers as a list of ints, one per item, each one of the item's option values."""
    instrument = INSTRUMENTS.get(kind)
    if instrument is None:
        raise ValidationFailed("평가 도구를 고르세요.", {"kind": ["평가 도구를 고르세요."]})
    if not isinstance(answers, list | tuple) or len(answers) != len(instrument.items):
        message = f"{instrument.title}: 문항 {len(instrument.items)}개에 모두 답해야 합니다."
        raise ValidationFailed(message, {"answers": [message]})
    clean: list[int] = []
    errors: list[str] = []
    for number, (item, answer) in enumerate(zip(instrument.items, answers, strict=True), start=1):
        allowed = {value for value, _label in item.options}
        if isinstance(answer, bool) or not isinstance(answer, int) or answer not in allowed:
            errors.append(f"{number}번 문항의 답을 고르세요.")
        else:
            clean.append(answer)
    if errors:
        raise ValidationFailed(f"{instrument.title}: 답하지 않은 문항이 있습니다.", {"answers": errors})
    return clean


def item_scores(kind: str, answers: list[int]) -> list[int]:
    """Points per item after reverse scoring."""
    instrument = INSTRUMENTS[kind]
    if kind == "gds15":
        return [1 - a if n in instrument.reverse else a for n, a in enumerate(answers, start=1)]
    if kind == "kepds":
        return [3 - a if n in instrument.reverse else a for n, a in enumerate(answers, start=1)]
    return list(answers)


def score(kind: str, answers: object) -> Result:
    clean = validate_answers(kind, answers)
    points = item_scores(kind, clean)
    total = sum(points)
    cut = _cutoffs(kind)
    if kind == "gds15":
        positive = total >= cut["positive"]
        follow = "sbqr" if total >= cut["sbqr_follow_up"] else ""
        return Result(kind, total, "우울 의심" if positive else "정상", positive, False, follow)
    if kind == "phq9":
        if total >= cut["severe"]:
            band = "심한 우울"
        elif total >= cut["moderately_severe"]:
            band = "중간 이상 우울"
        elif total >= cut["moderate"]:
            band = "중간 정도 우울"
        elif total >= cut["mild"]:
            band = "가벼운 우울"
        else:
            band = "정상(최소)"
        return Result(kind, total, band, total >= cut["positive"], points[8] > 0)
    if kind == "sbqr":
        high = total >= cut["high_risk"]
        risk = total >= cut["risk"]
        band = "자살 고위험" if high else ("자살 위험" if risk else "위험 낮음")
        return Result(kind, total, band, risk, high)
    positive = total >= cut["positive"]
    return Result(kind, total, "산후우울 의심" if positive else "정상", positive, points[9] > 0)
