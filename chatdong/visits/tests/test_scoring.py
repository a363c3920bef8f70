"""Server-side scoring of every screening at each cut-off (just below / at / above), reverse items,
and the urgent items. Cut-offs are the settings defaults (DOMAIN.md), and follow a changed setting."""

from __future__ import annotations

import pytest

from chatdong.core.errors import ValidationFailed
from chatdong.visits.scoring import item_scores, score


def gds(depressive: int) -> list[int]:
    """GDS-15 answers with exactly `depressive` depressive answers: items 1, 5, 7, 11, 13 count when
    answered "no" (0), the others when answered "yes" (1). Reverse items are used first."""
    order = [1, 5, 7, 11, 13, 2, 3, 4, 6, 8, 9, 10, 12, 14, 15]
    chosen = set(order[:depressive])
    reverse = {1, 5, 7, 11, 13}
    return [(0 if n in chosen else 1) if n in reverse else (1 if n in chosen else 0) for n in range(1, 16)]


def phq(total: int, item9: int = 0) -> list[int]:
    answers = [0] * 9
    answers[8] = item9
    remaining = total - item9
    for i in range(8):
        answers[i] = min(3, remaining)
        remaining -= answers[i]
    assert remaining == 0
    return answers


def epds(total: int) -> list[int]:
    """K-EPDS answers (option positions) scoring `total` on items 1–9, item 10 at 0 points."""
    reverse = {3, 5, 6, 7, 8, 9, 10}
    points = [0] * 10
    remaining = total
    for i in range(9):
        points[i] = min(3, remaining)
        remaining -= points[i]
    assert remaining == 0
    return [3 - p if n in reverse else p for n, p in enumerate(points, start=1)]


def test_gds15_reverse_items_score_no_as_one() -> None:
    all_yes = [1] * 15
    assert item_scores("gds15", all_yes) == [0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1]
    assert score("gds15", all_yes).score == 10
    all_no = [0] * 15
    assert score("gds15", all_no).score == 5


@pytest.mark.parametrize(
    ("points", "band", "positive", "follow_up"),
    [
        (7, "정상", False, ""),
        (8, "우울 의심", True, ""),
        (9, "우울 의심", True, ""),
        (10, "우울 의심", True, "sbqr"),
        (11, "우울 의심", True, "sbqr"),
    ],
)
def test_gds15_cutoffs(points: int, band: str, positive: bool, follow_up: str) -> None:
    result = score("gds15", gds(points))
    assert (result.score, result.band, result.positive, result.urgent, result.follow_up) == (
        points,
        band,
        positive,
        False,
        follow_up,
    )


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (4, "정상(최소)", False),
        (5, "가벼운 우울", False),
        (9, "가벼운 우울", False),
        (10, "중간 정도 우울", True),
        (11, "중간 정도 우울", True),
        (14, "중간 정도 우울", True),
        (15, "중간 이상 우울", True),
        (19, "중간 이상 우울", True),
        (20, "심한 우울", True),
        (24, "심한 우울", True),  # the most without item 9
    ],
)
def test_phq9_bands_and_positive(total: int, band: str, positive: bool) -> None:
    result = score("phq9", phq(total))
    assert (result.score, result.band, result.positive, result.urgent, result.refer) == (
        total,
        band,
        positive,
        False,
        positive,
    )


def test_phq9_item9_above_zero_is_urgent_whatever_the_total() -> None:
    result = score("phq9", phq(1, item9=1))
    assert (result.score, result.positive, result.urgent, result.refer) == (1, False, True, True)
    assert score("phq9", phq(12, item9=3)).urgent is True
    assert score("phq9", phq(12, item9=0)).urgent is False


@pytest.mark.parametrize(
    ("answers", "total", "band", "positive", "urgent"),
    [
        ([1, 1, 1, 0], 3, "위험 낮음", False, False),  # the minimum
        ([2, 2, 1, 1], 6, "위험 낮음", False, False),
        ([2, 2, 1, 2], 7, "자살 위험", True, False),
        ([2, 3, 1, 2], 8, "자살 위험", True, False),
        ([3, 3, 2, 2], 10, "자살 위험", True, False),
        ([3, 3, 2, 3], 11, "자살 고위험", True, True),
        ([3, 4, 2, 3], 12, "자살 고위험", True, True),
        ([4, 5, 3, 6], 18, "자살 고위험", True, True),  # the maximum
    ],
)
def test_sbqr_osman_scoring_and_cutoffs(answers, total, band, positive, urgent) -> None:
    result = score("sbqr", answers)
    assert (result.score, result.band, result.positive, result.urgent) == (total, band, positive, urgent)


@pytest.mark.parametrize("answers", [[0, 1, 1, 0], [5, 1, 1, 0], [1, 6, 1, 0], [1, 1, 4, 0], [1, 1, 1, 7]])
def test_sbqr_rejects_values_outside_each_items_range(answers) -> None:
    with pytest.raises(ValidationFailed):
        score("sbqr", answers)


def test_kepds_reverse_items() -> None:
    first_option = [0] * 10  # the first printed option everywhere
    assert item_scores("kepds", first_option) == [0, 0, 3, 0, 3, 3, 3, 3, 3, 3]
    assert score("kepds", first_option).score == 21
    assert score("kepds", [3] * 10).score == 9


@pytest.mark.parametrize(("total", "positive"), [(9, False), (10, True), (11, True)])
def test_kepds_cutoff(total: int, positive: bool) -> None:
    result = score("kepds", epds(total))
    assert (result.score, result.positive, result.urgent, result.band) == (
        total,
        positive,
        False,
        "산후우울 의심" if positive else "정상",
    )


def test_kepds_self_harm_item_is_urgent() -> None:
    answers = epds(0)
    answers[9] = 2  # "거의 없었다" = 1 point on item 10
    result = score("kepds", answers)
    assert (result.score, result.positive, result.urgent) == (1, False, True)


def test_cutoffs_follow_the_setting(settings) -> None:
    settings.CHATDONG_SCREENING_CUTOFFS = {
        **settings.CHATDONG_SCREENING_CUTOFFS,
        "phq9": {"mild": 5, "moderate": 10, "moderately_severe": 15, "severe": 20, "positive": 8},
    }
    assert score("phq9", phq(8)).positive is True
    assert score("phq9", phq(7)).positive is False


@pytest.mark.parametrize(
    ("kind", "answers"),
    [
        ("phq9", [0] * 8),
        ("phq9", [0] * 8 + [4]),
        ("phq9", [0] * 8 + [True]),
        ("gds15", [2] + [0] * 14),
        ("kepds", [0] * 11),
        ("nope", [0]),
    ],
)
def test_invalid_answers_are_refused(kind: str, answers: list) -> None:
    with pytest.raises(ValidationFailed):
        score(kind, answers)
