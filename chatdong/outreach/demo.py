"""Demo data for outreach: the six programs, registered pregnancies, a youth list, this year's target
lists for every program, consents and refusals, and assignments by zone and workload."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from chatdong.accounts.models import District, Dong
from chatdong.outreach import rule_sql
from chatdong.outreach.models import PregnancyRegistration, Program, Target, TargetConsent
from chatdong.outreach.services import programs_install_defaults, targets_assign_auto, targets_extract
from chatdong.registry.models import Resident


def demo_seed(*, district: District, today: dt.date, rng: random.Random) -> dict[str, int]:
    counts: dict[str, int] = {}
    programs = {p.code: p for p in programs_install_defaults(district)}
    dong_ids = rule_sql.district_dong_ids(district.pk)
    year_start = dt.date(today.year, 1, 1)
    with transaction.atomic():
        counts["pregnancies"] = _pregnancies(dong_ids, today, rng)
        counts["youth_listed"] = _youth_list(programs["youth"], dong_ids, year_start, today, rng)
    for code, program in programs.items():
        if program.rule.get("type") == "list":
            continue
        run = targets_extract(actor=None, program=program, period_start=year_start)
        counts[f"targets_{code}"] = run.counts["selected"]
    with transaction.atomic():
        counts.update(_consents(district, year_start, today, rng))
    assigned = 0
    for program in programs.values():
        for dong in Dong.objects.filter(district=district):
            result = targets_assign_auto(actor=None, program=program, period_start=year_start, dong=dong)
            assigned += result["by_zone"] + result["balanced"]
    counts["assigned"] = assigned
    return counts


def _pregnancies(dong_ids: list[int], today: dt.date, rng: random.Random) -> int:
    """About one registered pregnancy per 80 women aged 25–39 (성북구 has ≈2,000 births a year)."""
    women = list(
        Resident.objects.filter(
            dong_id__in=dong_ids,
            status=Resident.Status.RESIDENT,
            sex=Resident.Sex.FEMALE,
            birth_date__range=(dt.date(today.year - 39, 1, 1), dt.date(today.year - 25, 12, 31)),
        )
        .order_by("pk")
        .values_list("pk", "dong_id")
    )
    chosen = rng.sample(women, min(len(women), len(women) // 80))
    rows = []
    for pk, dong_id in chosen:
        edd = today + dt.timedelta(days=rng.randint(-200, 200))
        registered = min(today, edd - dt.timedelta(weeks=rng.randint(20, 32)))
        delivered = (
            edd + dt.timedelta(days=rng.randint(-14, 7)) if edd + dt.timedelta(days=7) < today else None
        )
        rows.append(
            PregnancyRegistration(
                resident_id=pk,
                dong_id=dong_id,
                expected_delivery_on=edd,
                registered_on=registered,
                delivered_on=delivered,
            )
        )
    PregnancyRegistration.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _youth_list(
    program: Program, dong_ids: list[int], start: dt.date, today: dt.date, rng: random.Random
) -> int:
    """A list of vulnerable children and out-of-school youth (about 10 per 동)."""
    youth = list(
        Resident.objects.filter(
            dong_id__in=dong_ids,
            status=Resident.Status.RESIDENT,
            birth_date__range=(dt.date(today.year - 18, 1, 1), dt.date(today.year - 9, 12, 31)),
        )
        .order_by("pk")
        .values_list("pk", "household_id", "dong_id", "ban_id")
    )
    reasons = (
        "학교 밖 청소년(교육청 명단)",
        "위기 아동(아동보호전문기관 통보)",
        "결식 우려 아동(지역아동센터)",
    )
    chosen = rng.sample(youth, min(len(youth), 10 * len(dong_ids)))
    end = dt.date(start.year, 12, 31)
    Target.objects.bulk_create(
        [
            Target(
                program=program,
                period_start=start,
                period_end=end,
                dong_id=dong_id,
                ban_id=ban_id,
                resident_id=pk,
                household_id=household_id,
                reason=rng.choice(reasons),
                source=Target.Source.LIST,
                due_on=end,
            )
            for pk, household_id, dong_id, ban_id in chosen
        ],
        ignore_conflicts=True,
    )
    return len(chosen)


def _consents(district: District, start: dt.date, today: dt.date, rng: random.Random) -> dict[str, int]:
    """About 45% consented, 6% refused, 2% withdrew after consenting; the rest not yet asked."""
    from chatdong.accounts.models import User

    recorder = (
        User.objects.filter(dong__district=district, role__in=["team_leader", "dong_head"])
        .order_by("pk")
        .first()
    )
    if recorder is None:
        return {"consents": 0}
    targets = list(
        Target.objects.filter(program__district=district, period_start=start, status=Target.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    history: list[tuple[int, str, dt.date, str]] = []
    states: dict[str, list[int]] = {"given": [], "refused": [], "withdrawn": []}
    current: dict[tuple[str, dt.date], list[int]] = {}
    channels = [c.value for c in TargetConsent.Channel if c != TargetConsent.Channel.OTHER]
    span = max(1, (today - start).days)
    for pk in targets:
        roll = rng.random()
        on = start + dt.timedelta(days=rng.randrange(span))
        if roll < 0.45:
            state, last = "given", on
            history.append((pk, "given", on, rng.choice(channels)))
        elif roll < 0.51:
            state, last = "refused", on
            history.append((pk, "refused", on, "phone"))
        elif roll < 0.53:
            state, last = "withdrawn", min(today, on + dt.timedelta(days=rng.randint(1, 60)))
            history.append((pk, "given", on, "visit"))
            history.append((pk, "withdrawn", last, "phone"))
        else:
            continue
        states[state].append(pk)
        current.setdefault((state, last), []).append(pk)
    _insert_consents(history, recorder.pk)
    for (state, on), ids in current.items():
        for i in range(0, len(ids), 2000):
            Target.objects.filter(pk__in=ids[i : i + 2000]).update(consent=state, consent_on=on)
    return {f"consent_{k}": len(v) for k, v in states.items()}


def _insert_consents(rows: list[tuple[int, str, dt.date, str]], recorder_id: int) -> None:
    """Tens of thousands of consent rows through the cursor (model instances would take seconds)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    columns = ("target_id", "state", "on", "channel", "note", "recorded_by_id", "recorded_at")
    table = ops.quote_name(TargetConsent._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    values = [
        (pk, state, ops.adapt_datefield_value(on), channel, "", recorder_id, now)
        for pk, state, on, channel in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
