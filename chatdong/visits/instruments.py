"""The screening instruments as data: short Korean paraphrases of the items, the answer options with the
value each option stores, and which items are reverse-scored. Scoring is in visits.scoring.

Texts are paraphrases for the form (the licensed Korean versions are used on paper by the health
center); what matters for the server is the number of items, the value range and the reverse items."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    text: str
    # (stored value, label) in the order shown.
    options: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Instrument:
    kind: str
    title: str
    intro: str
    items: tuple[Item, ...]
    # 1-based item numbers whose score is reversed (see scoring).
    reverse: frozenset[int] = field(default_factory=frozenset)


YES_NO = ((1, "예"), (0, "아니오"))
PHQ_OPTIONS = ((0, "전혀 없음"), (1, "며칠 동안"), (2, "일주일 이상"), (3, "거의 매일"))

GDS15 = Instrument(
    kind="gds15",
    title="노인우울척도 단축형(GDS-15)",
    intro="지난 일주일 동안 어떻게 지내셨는지 예/아니오로 답해 주세요.",
    items=tuple(
        Item(text, YES_NO)
        for text in (
            "요즘 생활에 대체로 만족하십니까?",
            "요즘 활동이나 관심거리가 많이 줄었습니까?",
            "삶이 비어 있다고 느끼십니까?",
            "자주 지루하다고 느끼십니까?",
            "대부분 기분이 좋은 편이십니까?",
            "나쁜 일이 생길까 봐 걱정되십니까?",
            "대부분 행복하다고 느끼십니까?",
            "자주 무기력하다고 느끼십니까?",
            "밖에 나가기보다 집에 있는 것이 더 좋으십니까?",
            "다른 사람보다 기억력이 더 나쁘다고 느끼십니까?",
            "지금 살아 있다는 것이 기쁘십니까?",
            "지금의 자신이 쓸모없다고 느끼십니까?",
            "기운이 넘치십니까?",
            "지금 처지가 희망이 없다고 느끼십니까?",
            "다른 사람들이 대부분 나보다 낫다고 느끼십니까?",
        )
    ),
    # "No" scores 1 on the positively worded items.
    reverse=frozenset({1, 5, 7, 11, 13}),
)

PHQ9 = Instrument(
    kind="phq9",
    title="우울 선별(PHQ-9)",
    intro="지난 2주 동안 다음 문제로 얼마나 자주 불편하셨습니까?",
    items=tuple(
        Item(text, PHQ_OPTIONS)
        for text in (
            "일을 하는 것에 흥미나 즐거움이 거의 없다",
            "기분이 가라앉거나 우울하거나 희망이 없다",
            "잠들기 어렵거나 자주 깨거나 너무 많이 잔다",
            "피곤하거나 기운이 거의 없다",
            "식욕이 줄었거나 너무 많이 먹는다",
            "내가 실패자라고 느끼거나 나 자신·가족을 실망시켰다고 느낀다",
            "신문·TV 등 일상적인 일에 집중하기 어렵다",
            "남이 알아챌 만큼 느리게 움직이거나, 반대로 안절부절못한다",
            "차라리 죽는 것이 낫겠다거나 자해를 생각한 적이 있다",
        )
    ),
)

# SBQ-R (Osman et al. 2001): each option stores its score (item 1: 1–4, item 2: 1–5, item 3: 1–3,
# item 4: 0–6). Options 3a/3b of item 1 and 2a/2b, 3a/3b of item 3 share a score, so they are one option.
SBQR = Instrument(
    kind="sbqr",
    title="자살행동 질문지(SBQ-R)",
    intro="솔직하게 답해 주세요. 답은 도움을 드리는 데에만 씁니다.",
    items=(
        Item(
            "살면서 죽고 싶다는 생각을 하거나 자살을 시도한 적이 있습니까?",
            (
                (1, "전혀 없다"),
                (2, "잠깐 스쳐 가는 생각만 했다"),
                (3, "계획을 세운 적이 있다(시도하지 않음)"),
                (4, "시도한 적이 있다"),
            ),
        ),
        Item(
            "지난 1년 동안 자살을 얼마나 자주 생각했습니까?",
            (
                (1, "전혀"),
                (2, "드물게(1번)"),
                (3, "가끔(2번)"),
                (4, "자주(3–4번)"),
                (5, "매우 자주(5번 이상)"),
            ),
        ),
        Item(
            "자살하겠다는 생각을 누군가에게 말한 적이 있습니까?",
            ((1, "없다"), (2, "한 번 있다"), (3, "여러 번 있다")),
        ),
        Item(
            "앞으로 자살을 시도할 가능성이 얼마나 된다고 생각하십니까?",
            (
                (0, "전혀 없다"),
                (1, "가능성이 없다"),
                (2, "상당히 낮다"),
                (3, "낮다"),
                (4, "있다"),
                (5, "상당히 높다"),
                (6, "매우 높다"),
            ),
        ),
    ),
)


def _epds(text: str, labels: tuple[str, str, str, str]) -> Item:
    """K-EPDS options are stored as their position 0–3 as printed; reverse items score 3 − position."""
    return Item(text, tuple(enumerate(labels)))


KEPDS = Instrument(
    kind="kepds",
    title="산후우울 선별(K-EPDS)",
    intro="지난 7일 동안 느낀 것과 가장 가까운 답을 골라 주세요.",
    items=(
        _epds(
            "우스운 일을 보면 웃을 수 있었다",
            ("예전과 똑같이", "예전보다 조금 덜", "확실히 덜", "전혀 못 했다"),
        ),
        _epds(
            "즐거운 마음으로 앞일을 기대했다",
            ("예전과 똑같이", "예전보다 조금 덜", "확실히 덜", "거의 못 했다"),
        ),
        _epds(
            "일이 잘못되면 필요 이상으로 나를 탓했다",
            ("대부분 그랬다", "가끔 그랬다", "별로 그렇지 않았다", "전혀 아니었다"),
        ),
        _epds(
            "특별한 이유 없이 불안하거나 걱정했다",
            ("전혀 아니었다", "거의 아니었다", "가끔 그랬다", "자주 그랬다"),
        ),
        _epds(
            "특별한 이유 없이 겁이 나거나 당황했다",
            ("자주 그랬다", "가끔 그랬다", "거의 아니었다", "전혀 아니었다"),
        ),
        _epds(
            "일이 힘에 부쳤다",
            ("대부분 감당하지 못했다", "가끔 감당하지 못했다", "대부분 잘 감당했다", "평소처럼 잘 감당했다"),
        ),
        _epds(
            "너무 불행해서 잠을 잘 못 잤다",
            ("대부분 그랬다", "가끔 그랬다", "자주 그렇지는 않았다", "전혀 아니었다"),
        ),
        _epds("슬프거나 비참했다", ("대부분 그랬다", "자주 그랬다", "자주 그렇지는 않았다", "전혀 아니었다")),
        _epds("너무 불행해서 울었다", ("대부분 그랬다", "자주 그랬다", "가끔 그랬다", "전혀 아니었다")),
        _epds(
            "나 자신을 해치고 싶은 생각이 들었다",
            ("자주 그랬다", "가끔 그랬다", "거의 없었다", "전혀 없었다"),
        ),
    ),
    reverse=frozenset({3, 5, 6, 7, 8, 9, 10}),
)

INSTRUMENTS: dict[str, Instrument] = {i.kind: i for i in (GDS15, PHQ9, SBQR, KEPDS)}
