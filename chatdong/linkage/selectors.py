"""Reads of the linkage app: the live check at intake, client lists and the review queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.cases.models import Case
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.rrn import InvalidRRN, blind_index, parse_rrn
from chatdong.linkage import access, matching
from chatdong.linkage.models import CandidatePair, ClientList, ClientListError
from chatdong.registry.access import residents_visible_to
from chatdong.registry.importer import parse_date
from chatdong.registry.models import Resident

LIVE_LIMIT = 10
LIVE_REVIEW_THRESHOLD = 0.01
_CANDIDATE_CAP = 500
# Cases that still run: anything before the end of follow-up (사후관리 counts: the household is known).
CLOSED_STEPS = (Case.Step.ENDED,)


@dataclass(frozen=True)
class CaseRef:
    id: int
    dong: str
    step: str
    step_label: str
    opened_on: dt.date
    same_person: bool  # the case is the resident's own (not only the household's)


@dataclass(frozen=True)
class Candidate:
    resident_id: int
    name: str
    birth_date: dt.date
    phone_last4: str
    road_address: str
    dong: str
    household_id: int
    score: float
    decision: str  # match / review / non-match
    evidence: list[str]
    levels: dict[str, str]
    exact_rrn: bool = False
    cases: list[CaseRef] = field(default_factory=list)


def _birth(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValidationFailed("생년월일을 확인하세요.", {"birth_date": [str(exc)]}) from None


def _birth_variants(day: dt.date) -> list[dt.date]:
    """The date, its day/month swap and every date one digit off: what a typo makes of it."""
    text = day.strftime("%Y%m%d")
    found = {day}
    candidates = [text[:4] + text[6:8] + text[4:6]]
    for i in range(8):
        for digit in "0123456789":
            if digit != text[i]:
                candidates.append(text[:i] + digit + text[i + 1 :])
    for candidate in candidates:
        try:
            found.add(dt.date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:8])))
        except ValueError:
            continue
    return sorted(found)


def _name_variants(name: str) -> list[str]:
    """The name with its surname in every 두음 spelling (이/리, 임/림, 류/유, 노/로 …)."""
    surname, given = matching.split_name(name)
    if not surname or not matching.is_hangul(name):
        return [name] if name else []
    first = surname[0]
    rest = (ord(first) - 0xAC00) % 588
    folded = matching.dueum(first)
    variants = {name}
    for initial in (2, 5, 11):  # ㄴ, ㄹ, ㅇ: the initials the 두음법칙 turns into one another
        syllable = chr(0xAC00 + initial * 588 + rest)
        if matching.dueum(syllable) == folded:
            variants.add(syllable + surname[1:] + given)
    return sorted(variants)


def _prepared_resident(r: Resident) -> matching.Prepared:
    road, building = matching.address_of(r.road_name, r.building_main, r.building_sub)
    return matching.prepare(
        r.pk,
        name=r.name,
        birth=r.birth_date,
        phone=r.phone,
        road=road,
        building=building,
        unit=matching.normal_unit(r.address_detail),
    )


def _open_cases(residents: list[Resident]) -> dict[int, list[CaseRef]]:
    if not residents:
        return {}
    by_household: dict[int, list[int]] = {}
    for r in residents:
        by_household.setdefault(r.household_id, []).append(r.pk)
    cases = (
        Case.objects.filter(Q(resident__in=[r.pk for r in residents]) | Q(household__in=list(by_household)))
        .exclude(step__in=CLOSED_STEPS)
        .select_related("dong")
        .order_by("-opened_on", "-id")
    )
    found: dict[int, list[CaseRef]] = {}
    for case in cases:
        targets = {case.resident_id} if case.resident_id in {r.pk for r in residents} else set()
        if case.household_id in by_household:
            targets.update(by_household[case.household_id])
        for resident_id in targets:
            found.setdefault(resident_id, []).append(
                CaseRef(
                    id=case.pk,
                    dong=case.dong.name,
                    step=case.step,
                    step_label=case.get_step_display(),
                    opened_on=case.opened_on,
                    same_person=case.resident_id == resident_id,
                )
            )
    return found


def possible_matches(
    *,
    user: User,
    name: str = "",
    birth_date: dt.date | str | None = None,
    phone: str = "",
    address: str = "",
    rrn: str = "",
    request: HttpRequest | None = None,
    limit: int = LIVE_LIMIT,
) -> list[Candidate]:
    """Residents in the user's scope who may be the person at the desk, best first, each with the
    evidence and the cases already open for them or their household. With an identity number the
    answer is exact (blind index); otherwise residents are scored on name (jamo level, 두음 variants),
    birth date, phone and address. Logged as a search with the residents shown."""
    if not access.can_live_check(user):
        raise PermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    name = " ".join((name or "").split())
    phone_digits = matching.normal_phone(phone)
    birth = _birth(birth_date)
    visible = residents_visible_to(user).select_related("dong")
    candidates: list[Candidate]
    if rrn.strip():
        try:
            number = parse_rrn(rrn)
        except InvalidRRN as exc:
            raise ValidationFailed("주민등록번호를 확인하세요.", {"rrn": [str(exc)]}) from None
        residents = list(visible.filter(rrn_index=blind_index(number.digits)))
        candidates = [
            _candidate(r, score=1.0, decision="match", levels={}, evidence=["주민등록번호 일치"], exact=True)
            for r in residents
        ]
        kind = "rrn"
    else:
        if not (name or birth or phone_digits or address.strip()):
            return []
        # One query per kind of evidence, each capped on its own, so that a big apartment building
        # or a common birth date cannot crowd out the others.
        queries: list[Q] = []
        if birth is not None:
            queries.append(Q(birth_date__in=_birth_variants(birth)))
        variants = _name_variants(name.replace(" ", "") if matching.is_hangul(name) else name)
        if variants:
            queries.append(Q(name__in=variants))
        if len(phone_digits) >= 9:
            queries.append(Q(phone=phone_digits))
        elif len(phone_digits) == 4:
            queries.append(Q(phone_last4=phone_digits))
        road, building = matching.normal_address(address)
        if building and " " in building:
            building_main = int(building.split(" ", 1)[1].split("-")[0])
            at_address = Q(road_name=road, building_main=building_main)
            if variants:  # in a big building, only those who share the surname
                same_surname = Q()
                for initial in {v[:1] for v in variants}:
                    same_surname |= Q(name__startswith=initial)
                at_address &= same_surname
            queries.append(at_address)
        found: dict[int, Resident] = {}
        for query in queries:
            for resident in visible.filter(query).order_by("id")[:_CANDIDATE_CAP]:
                found[resident.pk] = resident
        residents = list(found.values())
        probe = matching.prepare("probe", name=name, birth=birth, phone=phone_digits, address=address)
        # At the desk a near miss is worth a glance: anything from 1% up is shown (as "review").
        thresholds = settings.CHATDONG_LINKAGE_THRESHOLDS
        model = matching.Model(
            match_threshold=float(thresholds.get("match", 0.5)),
            review_threshold=float(thresholds.get("live_review", LIVE_REVIEW_THRESHOLD)),
        )
        scored = []
        for resident in residents:
            pair = matching.score_pair(model, probe, _prepared_resident(resident))
            if pair.decision != "non-match":
                scored.append((pair, resident))
        scored.sort(key=lambda item: (-item[0].bits, item[1].pk))
        candidates = [
            _candidate(r, score=p.probability, decision=p.decision, levels=p.levels, evidence=p.evidence)
            for p, r in scored[:limit]
        ]
        kind = "linkage"
    cases = _open_cases([r for r in residents if r.pk in {c.resident_id for c in candidates}])
    candidates = [Candidate(**{**c.__dict__, "cases": cases.get(c.resident_id, [])}) for c in candidates]
    access_log_record(
        user=user,
        request=request,
        action=AccessLog.Action.SEARCH,
        object_type="resident",
        subjects=[c.resident_id for c in candidates],
        # What was typed may include an identity number: log only which fields were given.
        detail={
            "kind": kind,
            "fields": [
                k
                for k, v in (
                    ("name", name),
                    ("birth_date", birth),
                    ("phone", phone_digits),
                    ("address", address.strip()),
                    ("rrn", rrn.strip()),
                )
                if v
            ],
        },
    )
    return candidates


def _candidate(
    r: Resident,
    *,
    score: float,
    decision: str,
    levels: dict[str, str],
    evidence: list[str],
    exact: bool = False,
) -> Candidate:
    return Candidate(
        resident_id=r.pk,
        name=r.name,
        birth_date=r.birth_date,
        phone_last4=r.phone_last4,
        road_address=r.road_address,
        dong=r.dong.name,
        household_id=r.household_id,
        score=round(score, 4),
        decision=decision,
        evidence=evidence,
        levels=levels,
        exact_rrn=exact,
    )


# ---------------------------------------------------------------------------------------------------
# Client lists and the review queue


def client_list_get(*, user: User, list_id: int) -> ClientList:
    found = access.client_lists_visible_to(user).filter(pk=list_id).first()
    if found is None:
        raise NotFound("명단을 찾을 수 없습니다.")
    return found


def client_lists(*, user: User) -> QuerySet[ClientList]:
    if not access.can_upload(user):
        raise PermissionDenied("기관 대상자 명단을 볼 권한이 없습니다.")
    return (
        access.client_lists_visible_to(user)
        .select_related("agency", "uploaded_by")
        .order_by("-created_at", "-id")
    )


def client_list_errors(*, user: User, list_id: int) -> tuple[ClientList, QuerySet[ClientListError]]:
    found = client_list_get(user=user, list_id=list_id)
    return found, found.errors.all()


def review_pairs(
    *,
    user: User,
    list_id: int,
    status: str | None = None,
    request: HttpRequest | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[ClientList, list[CandidatePair], int]:
    """The pairs of one list the user may review (pending first, best score first), logged as a view of
    the residents shown."""
    found = client_list_get(user=user, list_id=list_id)
    pairs = access.pairs_visible_to(user).filter(client_list=found)
    if status:
        if status not in CandidatePair.Status.values:
            raise ValidationFailed(
                "알 수 없는 검토 상태입니다.", {"status": ["pending, merged, not_same, unsure"]}
            )
        pairs = pairs.filter(status=status)
    total = pairs.count()
    rows = list(
        pairs.select_related("record", "resident__dong").order_by("record__row", "-score", "id")[
            offset : offset + limit
        ]
    )
    if rows:
        access_log_record(
            user=user,
            request=request,
            action=AccessLog.Action.VIEW,
            object_type="linkage_pairs",
            object_id=found.pk,
            subjects=[p.resident_id for p in rows],
        )
    return found, rows, total


def pair_get(*, user: User, pair_id: int, for_update: bool = False) -> CandidatePair:
    qs = access.pairs_visible_to(user).select_related("record", "client_list", "resident__dong")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    pair = qs.filter(pk=pair_id).first()
    if pair is None:
        raise NotFound("후보 쌍을 찾을 수 없습니다.")
    return pair


def mask_name(name: str) -> str:
    """김민준 → 김*준, 이산 → 이*: what an agency worker sees of a resident's name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def prepared_residents(queryset: QuerySet[Resident]) -> list[matching.Prepared]:
    """Residents as the engine compares them (current residents only), read in one streaming pass.
    Not logged here: the caller logs the residents it shows or stores."""
    rows = (
        queryset.filter(status=Resident.Status.RESIDENT)
        .values_list(
            "pk",
            "name",
            "birth_date",
            "phone",
            "road_name",
            "building_main",
            "building_sub",
            "address_detail",
        )
        .iterator(chunk_size=5000)
    )
    prepared = []
    for pk, name, birth, phone, road_name, main, sub, detail in rows:
        road, building = matching.address_of(road_name, main, sub)
        unit = matching.normal_unit(detail)
        prepared.append(
            matching.prepare(pk, name=name, birth=birth, phone=phone, road=road, building=building, unit=unit)
        )
    return prepared


def pending_pair_count(*, user: User) -> int:
    """Pairs waiting for this user's review (for a home card or the menu badge); 0 for other roles."""
    if not access.can_upload(user):
        return 0
    return access.pairs_visible_to(user).filter(status=CandidatePair.Status.PENDING).count()
