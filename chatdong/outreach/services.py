"""Every write of the outreach target lists: programs, extraction, following the registry, consent,
assignment, list imports, pregnancy registrations and advance notices."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from chatdong.accounts.models import District, Dong, Role, User, Zone
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.core.rrn import InvalidRRN, blind_index, parse_rrn
from chatdong.core.time import today
from chatdong.outreach import access, rule_sql, rules
from chatdong.outreach.models import (
    MessageTemplate,
    Notice,
    PregnancyRegistration,
    Program,
    Target,
    TargetChange,
    TargetConsent,
    TargetRun,
)
from chatdong.registry.models import ImportBatch, Resident, ResidentChange

BULK = 2000

# ---------------------------------------------------------------------------------------------------
# The six default programs of 성북구 (DOMAIN.md §1). A district changes them on the program page.

DEFAULT_PROGRAMS: tuple[dict[str, Any], ...] = (
    {
        "code": "elder-planner",
        "name": "어르신 복지플래너",
        "kind": Program.Kind.ELDER_PLANNER,
        "unit": Program.Unit.PERSON,
        "rule": {"type": "turning_age", "ages": [65, 70], "due": {"type": "period_end"}},
        "visit_roles": [Role.PLANNER_ELDER.value],
    },
    {
        "code": "elder-nurse",
        "name": "어르신 방문간호",
        "kind": Program.Kind.ELDER_NURSE,
        "unit": Program.Unit.PERSON,
        "rule": {
            "type": "turning_age",
            "ages": [65, 70],
            "labels": {"65": "필수", "70": "연장"},
            "due": {"type": "period_end"},
        },
        "visit_roles": [Role.VISITING_NURSE.value],
    },
    {
        "code": "child",
        "name": "우리아이 복지플래너",
        "kind": Program.Kind.CHILD,
        "unit": Program.Unit.HOUSEHOLD,
        "rule": {"type": "birth_window", "months": [0, 12], "due": {"type": "birth_plus_days", "days": 60}},
        "visit_roles": [Role.PLANNER_CHILD.value],
    },
    {
        "code": "infant-health",
        "name": "영유아 건강간호(서울아기 건강첫걸음)",
        "kind": Program.Kind.INFANT_HEALTH,
        "unit": Program.Unit.PERSON,
        "rule": {
            "type": "pregnancy",
            "from_week": 20,
            "weeks_after_birth": 6,
            "due": {"type": "birth_plus_days", "days": 28},
        },
        "visit_roles": [Role.INFANT_NURSE.value],
    },
    {
        "code": "poverty",
        "name": "빈곤위기가정 복지플래너",
        "kind": Program.Kind.POVERTY,
        "unit": Program.Unit.HOUSEHOLD,
        "rule": {
            "type": "welfare_flag",
            "flags": ["basic_livelihood", "near_poor"],
            "visits_per_year": 1,
            "due": {"type": "period_end"},
        },
        "visit_roles": [Role.PLANNER_POVERTY.value],
    },
    {
        "code": "youth",
        "name": "아동청소년 복지플래너",
        "kind": Program.Kind.YOUTH,
        "unit": Program.Unit.PERSON,
        "rule": {"type": "list", "due": {"type": "period_end"}},
        "visit_roles": [Role.PLANNER_YOUTH.value],
    },
)

DEFAULT_TEMPLATES: tuple[dict[str, str], ...] = (
    {
        "code": "visit-notice",
        "name": "방문 사전안내",
        "body": (
            "[{동} 주민센터] {이름}님, {사업명} 방문을 {방문예정일}에 드리려 합니다. "
            "담당 {담당자}({연락처}). 일정이 어려우시면 연락 주세요."
        ),
    },
    {
        "code": "visit-reminder",
        "name": "방문 전날 알림",
        "body": "[{동} 주민센터] {이름}님, 내일({방문예정일}) {담당자} 복지플래너가 찾아뵙겠습니다. 문의 {연락처}",
    },
)


def programs_install_defaults(district: District) -> list[Program]:
    """The six default programs and the notice templates of a district; existing ones (same code) are
    left as the district edited them. Safe to call again."""
    programs = []
    with transaction.atomic():
        for spec in DEFAULT_PROGRAMS:
            program, _ = Program.objects.get_or_create(
                district=district,
                code=spec["code"],
                defaults={
                    **{k: v for k, v in spec.items() if k != "code"},
                    "rule": rules.rule_validate(spec["rule"]),
                },
            )
            programs.append(program)
        for spec in DEFAULT_TEMPLATES:
            MessageTemplate.objects.get_or_create(
                district=district, code=spec["code"], defaults={"name": spec["name"], "body": spec["body"]}
            )
    return programs


# ---------------------------------------------------------------------------------------------------
# Helpers


def target_subjects(target: Target) -> list[int]:
    if target.resident_id is not None:
        return [target.resident_id]
    return list(
        Resident.objects.filter(household_id=target.household_id or 0).values_list("pk", flat=True)[:50]
    )


def _program_for(actor: User, program_id: int) -> Program:
    program = access.programs_visible_to(actor).filter(pk=program_id).first()
    if program is None:
        raise NotFound("방문 사업을 찾을 수 없습니다.")
    return program


def _cancel_planned_visits(target_ids: Sequence[int]) -> int:
    """Planned visits of cancelled (or refused) targets are cancelled too."""
    from chatdong.visits.models import Visit

    total = 0
    for i in range(0, len(target_ids), BULK):
        total += Visit.objects.filter(
            target_id__in=target_ids[i : i + BULK], outcome=Visit.Outcome.PLANNED
        ).update(outcome=Visit.Outcome.CANCELLED, updated_at=timezone.now())
    return total


# ---------------------------------------------------------------------------------------------------
# Programs


ROLE_CHOICES = {r.value for r in access.VISIT_ROLES}


def program_update(
    *,
    actor: User,
    program_id: int,
    name: str | None = None,
    rule: dict[str, Any] | None = None,
    visit_roles: list[str] | None = None,
    active: bool | None = None,
    period: str | None = None,
    request: HttpRequest | None = None,
) -> Program:
    """A district changes a program's rule, visiting roles or whether it runs, without code."""
    if not access.can_edit_programs(actor):
        raise PermissionDenied("방문 사업을 고칠 권한이 없습니다(구 사업담당·시스템 관리자).")
    with transaction.atomic():
        program = _program_for(actor, program_id)
        program = Program.objects.select_for_update().get(pk=program.pk)
        errors: dict[str, list[str]] = {}
        before = {
            "name": program.name,
            "rule": program.rule,
            "visit_roles": program.visit_roles,
            "active": program.active,
        }
        if name is not None:
            if not name.strip():
                errors["name"] = ["사업명을 적어 주세요."]
            program.name = name.strip()[:60]
        if rule is not None and rule.get("type") != program.rule.get("type") and program.targets.exists():
            # Person and household lists cannot turn into each other; a new kind of list is a new program.
            errors["rule.type"] = [
                "대상 명단이 있는 사업의 규칙 유형은 바꿀 수 없습니다. 새 사업으로 만드세요."
            ]
        elif rule is not None:
            try:
                program.rule = rules.rule_validate(rule)
            except ValidationFailed as exc:
                errors.update({f"rule.{k}" if k != "rule" else k: v for k, v in exc.errors.items()})
        if visit_roles is not None:
            bad = [r for r in visit_roles if r not in ROLE_CHOICES]
            if bad or not visit_roles:
                errors["visit_roles"] = ["방문 역할은 복지플래너·간호사 역할 중에서 하나 이상 고르세요."]
            program.visit_roles = list(dict.fromkeys(visit_roles))
        if period is not None:
            if period not in Program.Period.values:
                errors["period"] = ["연간 또는 월간을 고르세요."]
            program.period = period
        if active is not None:
            program.active = active
        if program.rule.get("type") in rules.HOUSEHOLD_RULES:
            program.unit = Program.Unit.HOUSEHOLD
        elif program.rule.get("type") in ("turning_age", "pregnancy"):
            program.unit = Program.Unit.PERSON
        if errors:
            raise ValidationFailed("입력한 내용을 확인해 주세요.", errors)
        program.save()
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="outreach.program",
            object_id=program.pk,
            detail={
                "before": before,
                "after": {
                    "name": program.name,
                    "rule": program.rule,
                    "visit_roles": program.visit_roles,
                    "active": program.active,
                },
            },
        )
    return program


# ---------------------------------------------------------------------------------------------------
# Extraction


class _Existing(NamedTuple):
    pk: int
    status: str
    source: str
    reason: str
    dong_id: int
    ban_id: int | None
    due_on: str | None  # ISO text
    visits_planned: int
    pregnancy_id: int | None


def _existing_targets(
    program: Program, period_start: dt.date, keys: Iterable[int] | None = None
) -> dict[int, _Existing]:
    person = program.unit == Program.Unit.PERSON
    queryset = Target.objects.filter(program=program, period_start=period_start)
    if keys is not None:
        queryset = queryset.filter(**{"resident_id__in" if person else "household_id__in": list(keys)})
    if not person:
        queryset = queryset.filter(resident__isnull=True)
    # The due date as text: parsing tens of thousands of dates costs more than the query (refresh only
    # compares them). The key (resident or household) comes first, the _Existing fields after it.
    rows = queryset.annotate(due_text=Cast("due_on", output_field=CharField())).values_list(
        "resident_id" if person else "household_id",
        "pk",
        "status",
        "source",
        "reason",
        "dong_id",
        "ban_id",
        "due_text",
        "visits_planned",
        "pregnancy_id",
    )
    make = _Existing._make
    return {row[0]: make(row[1:]) for row in rules._fetch_all(rows)}


_TEXT_COLUMNS = ("reason", "source", "status", "status_note", "consent")


def _insert_targets(
    program: Program, start: dt.date, end: dt.date, found: Sequence[rules.Candidate], source: str
) -> None:
    """New rule targets in bulk through the cursor: model instances cost ~0.4 ms a row, which would make a
    district's list ten times slower than the query that selects it. On PostgreSQL one COPY in CSV,
    written by the csv module (C) in one piece: psycopg's write_row adapts every value on its own
    (~10 µs a row), which made the COPY cost more than the query."""
    if not found:
        return
    postgres = connection.vendor == "postgresql"
    ops = connection.ops
    # Dates and times are written once each, not once a row (a year's births share ~365 due dates).
    as_text: dict[Any, Any] = {None: None}

    def text(value: Any) -> Any:
        found_text = as_text.get(value)
        if found_text is None and value is not None:
            if isinstance(value, dt.datetime):
                found_text = str(value) if postgres else ops.adapt_datetimefield_value(value)
            else:
                found_text = str(value) if postgres else ops.adapt_datefield_value(value)
            as_text[value] = found_text
        return found_text

    person = program.unit == Program.Unit.PERSON
    now, first, last = text(timezone.now()), text(start), text(end)
    status, consent = Target.Status.OPEN.value, Target.Consent.UNKNOWN.value
    rows = [
        (
            now, now, program.pk, first, last, c.dong_id, c.ban_id, c.resident_id if person else None,
            c.household_id, c.reason[:200], source, status, "", consent, text(c.due_on), c.visits_planned,
            c.pregnancy_id,
        )
        for c in found
    ]  # fmt: skip
    table = Target._meta.db_table
    if postgres:
        from psycopg import sql

        csv_text = io.StringIO()
        csv.writer(csv_text, lineterminator="\n").writerows(rows)
        # In CSV an empty unquoted value is NULL; the text columns are never NULL (status_note is "").
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({}))").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in rule_sql.INSERT_COLUMNS),
            sql.SQL(", ").join(sql.Identifier(c) for c in _TEXT_COLUMNS),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(csv_text.getvalue())
        return
    marks = ", ".join(["%s"] * len(rule_sql.INSERT_COLUMNS))
    columns = ", ".join(ops.quote_name(c) for c in rule_sql.INSERT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {ops.quote_name(table)} ({columns}) VALUES ({marks})", rows)


def _new_target(program: Program, start: dt.date, end: dt.date, c: rules.Candidate, source: str) -> Target:
    person = program.unit == Program.Unit.PERSON
    return Target(
        program=program,
        period_start=start,
        period_end=end,
        dong_id=c.dong_id,
        ban_id=c.ban_id,
        resident_id=c.resident_id if person else None,
        household_id=c.household_id,
        reason=c.reason[:200],
        source=source,
        due_on=c.due_on,
        visits_planned=c.visits_planned,
        pregnancy_id=c.pregnancy_id,
    )


def _program_candidates(
    program: Program, start: dt.date, end: dt.date, **narrow: Any
) -> list[rules.Candidate]:
    rule = rules.rule_validate(program.rule)
    dong_ids = rule_sql.district_dong_ids(program.district_id)
    select = rule_sql.rule_select(rule, dong_ids, start, end, **narrow)
    found: list[rules.Candidate] = []
    if select is not None:
        found = rule_sql.candidates(select)
    elif rule["type"] == "pregnancy":
        found = list(rules.pregnancy_candidates(rule, dong_ids, start, end, **narrow))
    if program.unit == Program.Unit.HOUSEHOLD and rule["type"] not in rules.HOUSEHOLD_RULES:
        # A person rule on a household program: one target per household (its first person in key
        # order, so that re-extraction keeps choosing the same one).
        by_household: dict[int, rules.Candidate] = {}
        for c in found:
            by_household.setdefault(c.household_id or 0, c)
        return [
            rules.Candidate(
                None, *(c.household_id, c.dong_id, c.ban_id, c.reason, c.due_on, c.visits_planned)
            )
            for c in by_household.values()
        ]
    return found


def _compare_in_python(
    program: Program, start: dt.date, end: dt.date
) -> tuple[int, list[rules.Candidate], list[int], list[tuple[int, str, str, rules.Candidate]]]:
    """The general path of targets_extract: the candidates (_program_candidates) compared with the list in
    Python, with the same result as rule_sql.list_diff: (selected, new candidates, stale target ids,
    differing targets as (id, status, source, candidate)). A done target is never touched; a cancelled
    rule target selected again differs (it is restored). For the lists list_diff cannot compare (a
    pregnancy rule, a person rule on a household program)."""
    found = _program_candidates(program, start, end)
    existing = _existing_targets(program, start)
    person = program.unit == Program.Unit.PERSON
    new: list[rules.Candidate] = []
    differing: list[tuple[int, str, str, rules.Candidate]] = []
    seen: set[int] = set()
    iso: dict[dt.date, str] = {}
    for c in found:
        key = c.resident_id if person else c.household_id
        assert key is not None
        seen.add(key)
        old = existing.get(key)
        if old is None:
            new.append(c)
            continue
        if old.status == Target.Status.DONE:
            continue
        due_text = iso.get(c.due_on) if c.due_on is not None else None
        if due_text is None and c.due_on is not None:
            due_text = iso[c.due_on] = c.due_on.isoformat()
        fields = (c.reason[:200], c.dong_id, c.ban_id, due_text, c.visits_planned, c.pregnancy_id)
        current = (old.reason, old.dong_id, old.ban_id, old.due_on, old.visits_planned, old.pregnancy_id)
        is_restore = old.status == Target.Status.CANCELLED and old.source == Target.Source.RULE
        if fields != current or is_restore:
            differing.append((old.pk, old.status, old.source, c))
    stale = [
        old.pk
        for key, old in existing.items()
        if key not in seen and old.status == Target.Status.OPEN and old.source == Target.Source.RULE
    ]
    return len(found), new, stale, differing


def targets_extract(
    *, actor: User | None, program: Program, period_start: dt.date, request: HttpRequest | None = None
) -> TargetRun:
    """Make (or refresh) the program's target list for the period. Stable: a person already on the list
    keeps her target (and its consent, assignment and history); reasons and due dates are updated;
    people the rule no longer selects are cancelled (rule targets only: list and staff targets stay);
    a cancelled rule target selected again is restored. `actor` None is the system (demo, benchmark)."""
    if actor is not None and not access.can_extract(actor):
        raise PermissionDenied("대상을 추출할 권한이 없습니다(구 사업담당·시스템 관리자).")
    if actor is not None and program.district_id != actor.district_id:
        raise NotFound("방문 사업을 찾을 수 없습니다.")
    if not program.active:
        raise ValidationFailed("운영하지 않는 사업은 추출할 수 없습니다. 먼저 사업을 운영으로 바꾸세요.")
    start, end = rules.period_bounds(program.period, period_start)
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        first_run = not TargetRun.objects.filter(
            program=program, period_start=start, kind=TargetRun.Kind.EXTRACT
        ).exists()
        run = TargetRun.objects.create(
            kind=TargetRun.Kind.EXTRACT, actor=actor, program=program, period_start=start
        )
        rule = rules.rule_validate(program.rule)
        person = program.unit == Program.Unit.PERSON
        # The three biggest kinds are worked out by the database (rule_sql): a new list is one
        # INSERT … SELECT, and a list made before is compared there, so only its differences come back.
        # The other rules take the general path below, in Python (the same comparison).
        select = rule_sql.candidate_select(program, rule, start, end)
        if select is not None and not Target.objects.filter(program=program, period_start=start).exists():
            inserted = rule_sql.list_insert(program, start, end, select)
            run.counts = {
                "selected": inserted,
                "added": inserted,
                "updated": 0,
                "restored": 0,
                "cancelled": 0,
                "visits_cancelled": 0,
            }
            run.save(update_fields=["counts"])
            _extract_log(actor, request, program, start, run)
            return run
        if select is not None:
            diff = rule_sql.list_diff(program, start, select)
            selected, new, stale = diff.selected, diff.new, diff.stale
            differing = diff.changed
        else:
            selected, new, stale, differing = _compare_in_python(program, start, end)
        changed: list[Target] = []
        restored: list[int] = []
        for pk, status, source, c in differing:
            target = Target(
                pk=pk, reason=c.reason[:200], dong_id=c.dong_id, ban_id=c.ban_id, due_on=c.due_on,
                visits_planned=c.visits_planned, pregnancy_id=c.pregnancy_id, status=status, status_note="",
                status_changed_on=None, updated_at=timezone.now(),
            )  # fmt: skip
            if status == Target.Status.CANCELLED and source == Target.Source.RULE:
                target.status = Target.Status.OPEN
                target.status_changed_on = today()
                restored.append(pk)
            changed.append(target)
        new.sort(key=lambda c: (c.resident_id or 0, c.household_id or 0))
        _insert_targets(program, start, end, new, Target.Source.RULE)
        if changed:
            fields_changed = ["reason", "dong_id", "ban_id", "due_on", "visits_planned", "pregnancy_id"]
            fields_changed += ["status", "status_note", "status_changed_on", "updated_at"]
            Target.objects.bulk_update(changed, fields_changed, batch_size=BULK)
        note = "재추출: 규칙에 해당하지 않음"
        for i in range(0, len(stale), BULK):
            Target.objects.filter(pk__in=stale[i : i + BULK]).update(
                status=Target.Status.CANCELLED,
                status_note=note,
                status_changed_on=today(),
                updated_at=timezone.now(),
            )
        visits_cancelled = _cancel_planned_visits(stale)
        if not first_run:
            # A list made before: every difference is history ("재추출" shows on the target). Only the
            # rows just inserted are read back (for their ids), and only when there are any.
            added = (
                _existing_targets(
                    program,
                    start,
                    [k for c in new if (k := c.resident_id if person else c.household_id) is not None],
                )
                if new
                else {}
            )
            history = [
                TargetChange(target_id=t.pk, run=run, kind=TargetChange.Kind.ADDED, reason=f"재추출: {t.reason}"[:200], actor=actor)
                for t in added.values()
            ]  # fmt: skip
            history += [
                TargetChange(target_id=pk, run=run, kind=TargetChange.Kind.RESTORED, reason="재추출: 다시 대상", actor=actor)
                for pk in restored
            ]  # fmt: skip
            history += [
                TargetChange(
                    target_id=pk, run=run, kind=TargetChange.Kind.CANCELLED, reason=note, actor=actor
                )
                for pk in stale
            ]
            TargetChange.objects.bulk_create(history, batch_size=BULK)
        run.counts = {
            "selected": selected,
            "added": len(new),
            "updated": len(changed) - len(restored),
            "restored": len(restored),
            "cancelled": len(stale),
            "visits_cancelled": visits_cancelled,
        }
        run.save(update_fields=["counts"])
        _extract_log(actor, request, program, start, run)
    return run


# References of Target kept without a database FOREIGN KEY (models.Target: per-row triggers would cost
# more than the insert of a district's list); this check is the integrity guard instead.
_UNCHECKED_REFERENCES: tuple[tuple[str, str], ...] = (
    ("program_id", "outreach.Program"),
    ("dong_id", "accounts.Dong"),
    ("ban_id", "accounts.Ban"),
    ("resident_id", "registry.Resident"),
    ("household_id", "registry.Household"),
    ("assignee_id", "accounts.User"),
    ("co_assignee_id", "accounts.User"),
    ("pregnancy_id", "outreach.PregnancyRegistration"),
)


def targets_integrity_check() -> dict[str, list[int]]:
    """Targets whose program, 동, 반, resident, household, assignee or pregnancy registration does not
    exist, per column, and targets whose visit_made / visit_refused disagree with their visits (repair:
    visits.services.targets_visit_facts_refresh). Empty when the lists are sound."""
    from django.apps import apps

    problems: dict[str, list[int]] = {}
    for column, label in _UNCHECKED_REFERENCES:
        parent = apps.get_model(label)
        missing = list(
            Target.objects.filter(**{f"{column}__isnull": False})
            .exclude(**{f"{column}__in": parent._base_manager.values("pk")})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if missing:
            problems[column] = missing
    # What the visits say (Target.visit_made / visit_refused, kept by the visits app).
    from chatdong.visits.models import TARGET_VISIT_FACTS, Visit

    visits = Visit.objects.filter(target=OuterRef("pk"))
    for fact, outcome in TARGET_VISIT_FACTS.items():
        differ = list(
            Target.objects.annotate(seen=Exists(visits.filter(outcome=outcome)))
            .exclude(**{fact: F("seen")})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if differ:
            problems[fact] = differ
    return problems


def _extract_log(
    actor: User | None, request: HttpRequest | None, program: Program, start: dt.date, run: TargetRun
) -> None:
    access_log_record(
        user=actor,
        request=request,
        action=AccessLog.Action.CREATE,
        object_type="outreach.target_list",
        object_id=f"{program.pk}:{start.isoformat()}",
        reason=f"{program.name} {rules.period_label(program.period, start)} 대상 추출",
        detail=run.counts,
    )


# ---------------------------------------------------------------------------------------------------
# Following the registry


ARRIVALS: set[str] = {ResidentChange.Kind.BORN, ResidentChange.Kind.MOVED_IN, ResidentChange.Kind.RETURNED}
DEPARTURES: set[str] = {ResidentChange.Kind.MOVED_OUT, ResidentChange.Kind.DECEASED}
KIND_WORD: dict[str, str] = {
    ResidentChange.Kind.BORN: "출생",
    ResidentChange.Kind.MOVED_IN: "전입",
    ResidentChange.Kind.RETURNED: "재전입",
    ResidentChange.Kind.MOVED: "주소 이동",
    ResidentChange.Kind.MOVED_OUT: "전출",
    ResidentChange.Kind.DECEASED: "사망",
}


def targets_follow_registry(*, batch: ImportBatch | None = None) -> list[TargetRun]:
    """Apply the registry's changes to the current target lists: for one import batch, or (None) for
    every succeeded batch not yet followed. A birth or move-in matching an active program adds a target
    (or restores a cancelled one); a move-out or death cancels the open target and its planned visits;
    an address move updates the target's 동/반. Each batch is followed once (a unique run per batch)."""
    if batch is not None:
        batches = [batch]
    else:
        followed = TargetRun.objects.filter(kind=TargetRun.Kind.FOLLOW, batch__isnull=False).values(
            "batch_id"
        )
        batches = list(
            ImportBatch.objects.filter(status=ImportBatch.Status.SUCCEEDED)
            .exclude(pk__in=followed)
            .order_by("pk")
        )
    runs = []
    for one in batches:
        run = _follow_batch(one)
        if run is not None:
            runs.append(run)
    return runs


def _follow_batch(batch: ImportBatch) -> TargetRun | None:
    try:
        with transaction.atomic():
            run = TargetRun.objects.create(kind=TargetRun.Kind.FOLLOW, batch=batch)
    except IntegrityError:
        return None  # already followed
    with transaction.atomic():
        changes: dict[int, str] = {}
        for resident_id, kind in (
            ResidentChange.objects.filter(
                batch=batch, kind__in=[*ARRIVALS, *DEPARTURES, ResidentChange.Kind.MOVED]
            )
            .order_by("at", "pk")
            .values_list("resident_id", "kind")
        ):
            changes[resident_id] = kind
        arrived = {r for r, k in changes.items() if k in ARRIVALS or k == ResidentChange.Kind.MOVED}
        gone = {r for r, k in changes.items() if k in DEPARTURES}
        counts: dict[str, int] = {
            "added": 0,
            "restored": 0,
            "cancelled": 0,
            "updated": 0,
            "visits_cancelled": 0,
        }
        if changes:
            day = today()
            programs = Program.objects.filter(active=True).select_related("district")
            for program in programs:
                start = rules.current_period_start(program.period, day)
                if not TargetRun.objects.filter(
                    program=program, period_start=start, kind=TargetRun.Kind.EXTRACT
                ).exists():
                    continue  # no list made yet for this period: the extraction will take everyone
                _follow_program(program, start, run, changes, arrived, gone, counts)
        run.counts = counts
        run.save(update_fields=["counts"])
        if any(counts.values()):
            access_log_record(
                user=None,
                request=None,
                action=AccessLog.Action.CHANGE,
                object_type="outreach.target_follow",
                object_id=batch.pk,
                reason="주민 자료 변동 반영",
                detail=counts,
            )
    return run


def _follow_program(
    program: Program,
    start: dt.date,
    run: TargetRun,
    changes: dict[int, str],
    arrived: set[int],
    gone: set[int],
    counts: dict[str, int],
) -> None:
    _, end = rules.period_bounds(program.period, start)
    person = program.unit == Program.Unit.PERSON
    history: list[TargetChange] = []
    # Arrivals and address moves: who among them does the rule select now?
    found = _program_candidates(program, start, end, resident_ids=arrived) if arrived else []
    household_kinds = (
        {
            household_id: changes[pk]
            for pk, household_id in Resident.objects.filter(pk__in=arrived).values_list("pk", "household_id")
        }
        if found and not person
        else {}
    )
    if found and program.rule.get("type") != "list":
        keys = [c.resident_id if person else c.household_id for c in found]
        existing = _existing_targets(program, start, [k for k in keys if k is not None])
        for c in found:
            key = c.resident_id if person else c.household_id
            assert key is not None
            old = existing.get(key)
            trigger = changes.get(c.resident_id) if c.resident_id is not None else None
            if trigger is None and c.household_id is not None:
                trigger = household_kinds.get(c.household_id)
            word = KIND_WORD.get(trigger or "", "주민 변동")
            if old is None:
                target = _new_target(program, start, end, c, Target.Source.RULE)
                target.save()
                history.append(
                    TargetChange(
                        target=target,
                        run=run,
                        kind=TargetChange.Kind.ADDED,
                        reason=f"{word}: {c.reason}"[:200],
                    )
                )
                counts["added"] += 1
            elif old.status == Target.Status.CANCELLED:
                Target.objects.filter(pk=old.pk).update(
                    status=Target.Status.OPEN,
                    status_note="",
                    status_changed_on=today(),
                    dong_id=c.dong_id,
                    ban_id=c.ban_id,
                    updated_at=timezone.now(),
                )
                history.append(
                    TargetChange(
                        target_id=old.pk,
                        run=run,
                        kind=TargetChange.Kind.RESTORED,
                        reason=f"{word}: {c.reason}"[:200],
                    )
                )
                counts["restored"] += 1
            elif old.status == Target.Status.OPEN and (old.dong_id, old.ban_id) != (c.dong_id, c.ban_id):
                moved_dong = old.dong_id != c.dong_id
                update: dict[str, Any] = {
                    "dong_id": c.dong_id,
                    "ban_id": c.ban_id,
                    "updated_at": timezone.now(),
                }
                if moved_dong:  # another 동's staff take over
                    update |= {"assignee": None, "co_assignee": None}
                Target.objects.filter(pk=old.pk).update(**update)
                note = "다른 동으로 이동: 담당자 해제" if moved_dong else "같은 동 안에서 주소 이동"
                history.append(
                    TargetChange(
                        target_id=old.pk, run=run, kind=TargetChange.Kind.UPDATED, reason=f"{word}: {note}"
                    )
                )
                counts["updated"] += 1
    # Departures: open targets of people who left; household targets whose household no longer qualifies.
    if gone:
        statuses = dict(Resident.objects.filter(pk__in=gone).values_list("pk", "status_changed_on"))
        open_targets = Target.objects.filter(program=program, period_start=start, status=Target.Status.OPEN)
        cancel: dict[int, str] = {}
        if person:
            for pk, resident_id in open_targets.filter(resident_id__in=gone).values_list("pk", "resident_id"):
                on = statuses.get(resident_id)
                cancel[pk] = (
                    f"{KIND_WORD[changes[resident_id]]}({on:%Y-%m-%d})"
                    if on
                    else KIND_WORD[changes[resident_id]]
                )
        else:
            households = set(Resident.objects.filter(pk__in=gone).values_list("household_id", flat=True))
            touched = dict(
                open_targets.filter(household_id__in=households, resident__isnull=True).values_list(
                    "household_id", "pk"
                )
            )
            if touched:
                still = {
                    c.household_id
                    for c in _program_candidates(program, start, end, household_ids=list(touched))
                }
                if program.rule.get("type") == "list":
                    # List targets: cancelled only when nobody of the household still lives here.
                    still = set(
                        Resident.objects.filter(
                            household_id__in=touched, status=Resident.Status.RESIDENT
                        ).values_list("household_id", flat=True)
                    )
                for household_id, pk in touched.items():
                    if household_id not in still:
                        members = [r for r in gone if r in statuses]
                        word = KIND_WORD[changes[members[0]]] if members else "세대원 변동"
                        cancel[pk] = f"세대원 {word}으로 대상 아님"
        for pk, why in cancel.items():
            Target.objects.filter(pk=pk).update(
                status=Target.Status.CANCELLED,
                status_note=why[:200],
                status_changed_on=today(),
                updated_at=timezone.now(),
            )
            cancelled_visits = _cancel_planned_visits([pk])
            counts["visits_cancelled"] += cancelled_visits
            history.append(
                TargetChange(
                    target_id=pk,
                    run=run,
                    kind=TargetChange.Kind.CANCELLED,
                    reason=why[:200],
                    visits_cancelled=cancelled_visits,
                )
            )
            counts["cancelled"] += 1
    TargetChange.objects.bulk_create(history, batch_size=BULK)


# ---------------------------------------------------------------------------------------------------
# Targets added from lists or by staff


def _target_for(actor: User, target_id: int) -> Target:
    target = (
        access.targets_visible_to(actor)
        .select_related("program", "resident", "household")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound("방문 대상을 찾을 수 없습니다.")
    return target


def target_add(
    *,
    actor: User,
    program: Program,
    period_start: dt.date,
    resident: Resident,
    reason: str,
    request: HttpRequest | None = None,
    source: str = Target.Source.STAFF,
) -> Target:
    """Staff add one person (or her household, for household programs): hidden vulnerable households,
    a child in crisis. The resident must be in the actor's scope."""
    if not access.can_list_import(actor):
        raise PermissionDenied("방문 대상을 등록할 권한이 없습니다.")
    from chatdong.registry.access import residents_visible_to

    if (
        not residents_visible_to(actor).filter(pk=resident.pk).exists()
        or program.district_id != resident.dong.district_id
    ):
        raise NotFound("주민을 찾을 수 없습니다.")
    if not reason.strip():
        raise ValidationFailed("대상으로 등록하는 사유를 적어 주세요.", {"reason": ["사유를 적어 주세요."]})
    if resident.status != Resident.Status.RESIDENT:
        raise ValidationFailed(
            "거주 중인 주민만 대상으로 등록할 수 있습니다.", {"resident": ["전출·사망한 주민입니다."]}
        )
    start, end = rules.period_bounds(program.period, period_start)
    rule = rules.rule_validate(program.rule)
    person = program.unit == Program.Unit.PERSON
    with transaction.atomic():
        lookup: dict[str, Any] = (
            {"resident": resident}
            if person
            else {"household_id": resident.household_id, "resident__isnull": True}
        )
        target = (
            Target.objects.select_for_update().filter(program=program, period_start=start, **lookup).first()
        )
        if target is not None and target.status == Target.Status.OPEN:
            raise ValidationFailed("이미 이 사업의 대상입니다.", {"resident": ["이미 대상 명단에 있습니다."]})
        if target is None:
            target = Target.objects.create(
                program=program,
                period_start=start,
                period_end=end,
                dong_id=resident.dong_id,
                ban_id=resident.ban_id,
                resident=resident if person else None,
                household_id=resident.household_id,
                reason=reason.strip()[:200],
                source=source,
                due_on=rules.due_date(rule, start, end, today()),
                visits_planned=rule["visits_per_year"],
            )
            kind = TargetChange.Kind.ADDED
        else:
            target.status = Target.Status.OPEN
            target.status_note = ""
            target.reason = reason.strip()[:200]
            target.save(update_fields=["status", "status_note", "reason", "updated_at"])
            kind = TargetChange.Kind.RESTORED
        TargetChange.objects.create(
            target=target, kind=kind, reason=f"직원 등록: {reason.strip()}"[:200], actor=actor
        )
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CREATE,
            object_type="outreach.target",
            object_id=target.pk,
            subjects=[resident.pk],
            reason="방문 대상 등록",
        )
    return target


LIST_COLUMNS = ("주민등록번호", "사유")


def targets_list_import(
    *,
    actor: User,
    program: Program,
    period_start: dt.date,
    content: bytes,
    request: HttpRequest | None = None,
) -> TargetRun:
    """Add targets from a CSV list (columns 주민등록번호, 사유; UTF-8 or CP949). All-or-nothing: any row
    error and nothing is added; the errors name the row and what to fix."""
    if not access.can_list_import(actor):
        raise PermissionDenied("명단으로 대상을 등록할 권한이 없습니다.")
    if program.district_id != (actor.district_id or (actor.dong.district_id if actor.dong else None)):
        raise NotFound("방문 사업을 찾을 수 없습니다.")
    start, end = rules.period_bounds(program.period, period_start)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp949")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "파일을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀 CSV)로 저장해 주세요."
            ) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if tuple(header[:2]) != LIST_COLUMNS:
        raise ValidationFailed(
            f"첫 줄(제목)은 '{','.join(LIST_COLUMNS)}'이어야 합니다.", {"file": ["제목 줄을 확인하세요."]}
        )
    from chatdong.registry.access import residents_visible_to

    visible = residents_visible_to(actor).filter(dong__district_id=program.district_id)
    errors: dict[str, list[str]] = {}
    rows: list[tuple[Resident, str]] = []
    seen: set[int] = set()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        rrn_text = row[0].strip().replace("-", "") if row else ""
        reason = row[1].strip() if len(row) > 1 else ""
        problems = []
        resident = None
        try:
            parsed = parse_rrn(rrn_text)
            resident = visible.filter(rrn_index=blind_index(parsed.digits)).first()
            if resident is None:
                problems.append("주민등록번호에 해당하는 주민이 담당 범위에 없습니다.")
            elif resident.status != Resident.Status.RESIDENT:
                problems.append("전출·사망한 주민입니다.")
        except InvalidRRN as exc:
            problems.append(f"주민등록번호 형식 오류: {exc}")
        if not reason:
            problems.append("사유를 적어 주세요.")
        key = (
            None
            if resident is None
            else (resident.pk if program.unit == Program.Unit.PERSON else resident.household_id)
        )
        if key is not None and key in seen:
            problems.append("같은 사람(세대)이 명단에 두 번 있습니다.")
        if problems:
            errors[f"{number}행"] = problems
        elif resident is not None and key is not None:
            seen.add(key)
            rows.append((resident, reason))
    if errors:
        raise ValidationFailed(
            f"명단의 {len(errors)}개 행에 오류가 있어 아무것도 등록하지 않았습니다.", errors
        )
    if not rows:
        raise ValidationFailed("명단에 등록할 행이 없습니다.", {"file": ["행이 없습니다."]})
    rule = rules.rule_validate(program.rule)
    person = program.unit == Program.Unit.PERSON
    with transaction.atomic():
        run = TargetRun.objects.create(
            kind=TargetRun.Kind.LIST, actor=actor, program=program, period_start=start
        )
        existing = _existing_targets(program, start, list(seen))
        added = restored = 0
        history = []
        for resident, reason in rows:
            key = resident.pk if person else resident.household_id
            old = existing.get(key)
            if old is None:
                target = Target.objects.create(
                    program=program,
                    period_start=start,
                    period_end=end,
                    dong_id=resident.dong_id,
                    ban_id=resident.ban_id,
                    resident=resident if person else None,
                    household_id=resident.household_id,
                    reason=reason[:200],
                    source=Target.Source.LIST,
                    due_on=rules.due_date(rule, start, end, today()),
                    visits_planned=rule["visits_per_year"],
                )
                history.append(
                    TargetChange(
                        target=target,
                        run=run,
                        kind=TargetChange.Kind.ADDED,
                        reason=f"명단 등록: {reason}"[:200],
                        actor=actor,
                    )
                )
                added += 1
            elif old.status == Target.Status.CANCELLED:
                Target.objects.filter(pk=old.pk).update(
                    status=Target.Status.OPEN, status_note="", reason=reason[:200]
                )
                history.append(
                    TargetChange(
                        target_id=old.pk,
                        run=run,
                        kind=TargetChange.Kind.RESTORED,
                        reason=f"명단 등록: {reason}"[:200],
                        actor=actor,
                    )
                )
                restored += 1
        TargetChange.objects.bulk_create(history)
        run.counts = {
            "rows": len(rows),
            "added": added,
            "restored": restored,
            "unchanged": len(rows) - added - restored,
        }
        run.save(update_fields=["counts"])
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CREATE,
            object_type="outreach.target_list",
            object_id=f"{program.pk}:{start.isoformat()}",
            subjects=[r.pk for r, _ in rows],
            reason="명단으로 대상 등록",
            detail=run.counts,
        )
    return run


# ---------------------------------------------------------------------------------------------------
# Pregnancy registrations (보건소 임산부 등록)


def pregnancy_register(
    *,
    actor: User,
    resident: Resident,
    expected_delivery_on: dt.date,
    registered_on: dt.date,
    delivered_on: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> PregnancyRegistration:
    if not can_register_pregnancy(actor):
        raise PermissionDenied("임산부 등록 권한이 없습니다(영유아 건강간호사·구 사업담당).")
    from chatdong.registry.access import residents_visible_to

    if not residents_visible_to(actor).filter(pk=resident.pk).exists():
        raise NotFound("주민을 찾을 수 없습니다.")
    errors: dict[str, list[str]] = {}
    if registered_on > today():
        errors["registered_on"] = ["등록일이 오늘보다 뒤일 수 없습니다."]
    if delivered_on is not None and delivered_on > today():
        errors["delivered_on"] = ["출산일이 오늘보다 뒤일 수 없습니다."]
    if (
        not registered_on - dt.timedelta(days=7)
        <= expected_delivery_on
        <= registered_on + dt.timedelta(weeks=42)
    ):
        errors["expected_delivery_on"] = ["출산 예정일은 등록일부터 42주 안이어야 합니다."]
    if errors:
        raise ValidationFailed("입력한 내용을 확인해 주세요.", errors)
    with transaction.atomic():
        registration, created = PregnancyRegistration.objects.update_or_create(
            resident=resident,
            expected_delivery_on=expected_delivery_on,
            defaults={
                "dong_id": resident.dong_id,
                "registered_on": registered_on,
                "delivered_on": delivered_on,
                "note": note[:200],
                "registered_by": actor,
            },
        )
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CREATE if created else AccessLog.Action.CHANGE,
            object_type="outreach.pregnancy",
            object_id=registration.pk,
            subjects=[resident.pk],
            reason="임산부 등록",
        )
    return registration


def resident_by_rrn(*, actor: User, rrn: str) -> Resident:
    """A resident in the actor's scope by 주민등록번호 (blind index); NotFound otherwise."""
    from chatdong.registry.access import residents_visible_to

    try:
        parsed = parse_rrn(rrn.strip().replace("-", "").replace(" ", ""))
    except InvalidRRN as exc:
        raise ValidationFailed(str(exc), {"rrn": [str(exc)]}) from None
    resident = residents_visible_to(actor).filter(rrn_index=blind_index(parsed.digits)).first()
    if resident is None:
        raise NotFound("주민등록번호에 해당하는 주민이 담당 범위에 없습니다.")
    return resident


def can_register_pregnancy(user: User) -> bool:
    return user.is_active and user.role in (Role.INFANT_NURSE, Role.DISTRICT_STAFF)


def _decode_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return list(csv.reader(io.StringIO(content.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("파일을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀 CSV)로 저장해 주세요.")


PREGNANCY_COLUMNS = ("주민등록번호", "출산예정일", "등록일", "출산일")


def _date_cell(text: str, label: str, problems: list[str], *, required: bool = True) -> dt.date | None:
    text = text.strip()
    if not text:
        if required:
            problems.append(f"{label}을 적어 주세요.")
        return None
    try:
        return dt.date.fromisoformat(text.replace(".", "-").replace("/", "-"))
    except ValueError:
        problems.append(f"{label} '{text}'는 날짜(예: 2026-05-01)가 아닙니다.")
        return None


def pregnancies_import(*, actor: User, content: bytes, request: HttpRequest | None = None) -> dict[str, int]:
    """The health center's list of registered pregnant women (columns 주민등록번호, 출산예정일, 등록일,
    출산일(비워도 됨)). All-or-nothing with the errors of every row; a registration already there (same
    woman, same due date) is updated (e.g. the birth date added)."""
    if not can_register_pregnancy(actor):
        raise PermissionDenied("임산부 등록 권한이 없습니다(영유아 건강간호사·구 사업담당).")
    from chatdong.registry.access import residents_visible_to

    rows = _decode_csv(content)
    if not rows or tuple(c.strip() for c in rows[0][:3]) != PREGNANCY_COLUMNS[:3]:
        raise ValidationFailed(
            f"첫 줄(제목)은 '{','.join(PREGNANCY_COLUMNS)}'이어야 합니다.",
            {"file": ["제목 줄을 확인하세요."]},
        )
    visible = residents_visible_to(actor)
    errors: dict[str, list[str]] = {}
    good: list[tuple[Resident, dt.date, dt.date, dt.date | None]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (4 - len(row))
        problems: list[str] = []
        resident = None
        try:
            parsed = parse_rrn(row[0].strip().replace("-", ""))
            resident = visible.filter(rrn_index=blind_index(parsed.digits)).first()
            if resident is None:
                problems.append("주민등록번호에 해당하는 주민이 담당 범위에 없습니다.")
        except InvalidRRN as exc:
            problems.append(f"주민등록번호 형식 오류: {exc}")
        edd = _date_cell(row[1], "출산예정일", problems)
        registered = _date_cell(row[2], "등록일", problems)
        delivered = _date_cell(row[3], "출산일", problems, required=False)
        if registered and registered > today():
            problems.append("등록일이 오늘보다 뒤일 수 없습니다.")
        if (
            edd
            and registered
            and not registered - dt.timedelta(days=7) <= edd <= registered + dt.timedelta(weeks=42)
        ):
            problems.append("출산예정일은 등록일부터 42주 안이어야 합니다.")
        if problems:
            errors[f"{number}행"] = problems
        elif resident is not None and edd is not None and registered is not None:
            good.append((resident, edd, registered, delivered))
    if errors:
        raise ValidationFailed(
            f"명단의 {len(errors)}개 행에 오류가 있어 아무것도 등록하지 않았습니다.", errors
        )
    created = updated = 0
    with transaction.atomic():
        for resident, edd, registered, delivered in good:
            _, was_created = PregnancyRegistration.objects.update_or_create(
                resident=resident,
                expected_delivery_on=edd,
                defaults={"dong_id": resident.dong_id, "registered_on": registered, "delivered_on": delivered,
                          "registered_by": actor},
            )  # fmt: skip
            created += was_created
            updated += not was_created
        access_log_record(
            user=actor, request=request, action=AccessLog.Action.CREATE, object_type="outreach.pregnancy",
            subjects=[r.pk for r, *_ in good], reason="임산부 등록 명단", detail={"created": created, "updated": updated},
        )  # fmt: skip
    return {"rows": len(good), "created": created, "updated": updated}


# ---------------------------------------------------------------------------------------------------
# Consent


CONSENT_CHOICES = (Target.Consent.GIVEN, Target.Consent.REFUSED, Target.Consent.WITHDRAWN)


def target_consent_record(
    *,
    actor: User,
    target_id: int,
    state: str,
    on: dt.date,
    channel: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Target:
    """Record consent, refusal or withdrawal. Refused and withdrawn targets leave the work lists (still
    counted) and their planned visits are cancelled."""
    if not access.can_work(actor):
        raise PermissionDenied("방문 동의를 기록할 권한이 없습니다.")
    with transaction.atomic():
        target = _target_for(actor, target_id)
        target = Target.objects.select_for_update().get(pk=target.pk)
        errors: dict[str, list[str]] = {}
        if state not in CONSENT_CHOICES:
            errors["state"] = ["동의, 거부, 동의 철회 중에서 고르세요."]
        if channel not in TargetConsent.Channel.values:
            errors["channel"] = ["경로를 고르세요."]
        if on > today():
            errors["on"] = ["오늘보다 뒤의 날짜는 기록할 수 없습니다."]
        if state == Target.Consent.WITHDRAWN and target.consent != Target.Consent.GIVEN:
            errors["state"] = ["동의한 적이 없어 철회할 수 없습니다. 거부를 고르세요."]
        if target.status == Target.Status.CANCELLED:
            errors["state"] = ["취소된 대상입니다."]
        if errors:
            raise ValidationFailed("입력한 내용을 확인해 주세요.", errors)
        TargetConsent.objects.create(
            target=target, state=state, on=on, channel=channel, note=note[:200], recorded_by=actor
        )
        target.consent = state
        target.consent_on = on
        target.save(update_fields=["consent", "consent_on", "updated_at"])
        if state in Target.CONSENT_OUT:
            _cancel_planned_visits([target.pk])
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="outreach.target",
            object_id=target.pk,
            subjects=target_subjects(target),
            reason=f"방문 동의 기록: {target.get_consent_display()}",
        )
    return target


# ---------------------------------------------------------------------------------------------------
# Assignment


def _check_staff(target: Target, user: User | None, roles: Iterable[str], field: str) -> dict[str, list[str]]:
    if user is None:
        return {}
    if not user.is_active or user.dong_id != target.dong_id or user.role not in set(roles):
        allowed = ", ".join(Role(r).label for r in roles)
        return {field: [f"이 동에서 방문하는 직원({allowed})만 지정할 수 있습니다."]}
    return {}


def target_assign(
    *,
    actor: User,
    target_id: int,
    assignee_id: int | None,
    co_assignee_id: int | None = None,
    request: HttpRequest | None = None,
) -> Target:
    """Assign (or reassign) a target to a staff member of its 동 with a visiting role of the program;
    a second visitor (동행: planner + nurse) may be any visiting role."""
    if not access.can_assign(actor):
        raise PermissionDenied("대상을 배정할 권한이 없습니다(동장·팀장·복지수퍼바이저·구 사업담당).")
    with transaction.atomic():
        target = _target_for(actor, target_id)
        target = Target.objects.select_for_update().select_related("program").get(pk=target.pk)
        assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
        co = User.objects.filter(pk=co_assignee_id).first() if co_assignee_id else None
        errors = _check_staff(target, assignee, target.program.visit_roles or [], "assignee")
        errors |= _check_staff(target, co, [r.value for r in access.VISIT_ROLES], "co_assignee")
        if (assignee_id and assignee is None) or (co_assignee_id and co is None):
            errors.setdefault("assignee", []).append("직원을 찾을 수 없습니다.")
        if assignee is not None and co is not None and assignee.pk == co.pk:
            errors["co_assignee"] = ["담당자와 동행자는 다른 사람이어야 합니다."]
        if target.status != Target.Status.OPEN:
            errors["assignee"] = ["진행 중인 대상만 배정할 수 있습니다."]
        if errors:
            raise ValidationFailed("배정할 수 없습니다.", errors)
        before = (target.assignee_id, target.co_assignee_id)
        target.assignee = assignee
        target.co_assignee = co
        target.save(update_fields=["assignee", "co_assignee", "updated_at"])
        names = " + ".join(u.full_name or u.username for u in (assignee, co) if u is not None) or "담당 해제"
        TargetChange.objects.create(
            target=target, kind=TargetChange.Kind.ASSIGNED, reason=f"배정: {names}"[:200], actor=actor
        )
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="outreach.target",
            object_id=target.pk,
            subjects=target_subjects(target),
            reason="방문 대상 배정",
            detail={"before": list(before), "after": [target.assignee_id, target.co_assignee_id]},
        )
    return target


def open_workload(user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Target.objects.filter(assignee_id__in=list(user_ids), status=Target.Status.OPEN)
        .exclude(consent__in=Target.CONSENT_OUT)
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def targets_assign_auto(
    *,
    actor: User | None,
    program: Program,
    period_start: dt.date,
    dong: Dong,
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """Assign the 동's unassigned open targets of the program: the 반's zone officer when she has a
    visiting role of the program; otherwise the program's visiting staff of the 동, the least loaded
    first (open targets across programs). `actor` None is the system (demo)."""
    if actor is not None:
        if not access.can_assign(actor):
            raise PermissionDenied("대상을 배정할 권한이 없습니다(동장·팀장·복지수퍼바이저·구 사업담당).")
        if (
            not access.target_dongs(actor).filter(pk=dong.pk).exists()
            or program.district_id != dong.district_id
        ):
            raise NotFound("동을 찾을 수 없습니다.")
    period_start, _ = rules.period_bounds(program.period, period_start)  # checked: a period start
    roles = list(program.visit_roles or [])
    staff = list(access.assignable_staff(dong.pk, roles).values_list("pk", flat=True))
    with transaction.atomic():
        targets = list(
            Target.objects.select_for_update()
            .filter(
                program=program,
                period_start=period_start,
                dong=dong,
                status=Target.Status.OPEN,
                assignee__isnull=True,
            )
            .exclude(consent__in=Target.CONSENT_OUT)
            .order_by("ban_id", "pk")
            .values_list("pk", "ban_id")
        )
        officers = {
            ban_id: officer_id
            for ban_id, officer_id in Zone.objects.filter(
                dong=dong, officer__role__in=roles, officer__is_active=True
            ).values_list("bans__pk", "officer_id")
            if ban_id is not None
        }
        by_user: dict[int, list[int]] = {}
        rest = []
        for pk, ban_id in targets:
            officer = officers.get(ban_id)
            if officer is not None:
                by_user.setdefault(officer, []).append(pk)
            else:
                rest.append(pk)
        zone_count = len(targets) - len(rest)
        # Balance the rest by open workload, counting what the zone pass just gave.
        load = open_workload(staff)
        heap = [(load.get(pk, 0) + len(by_user.get(pk, [])), pk) for pk in staff]
        heapq.heapify(heap)
        balanced = 0
        for pk in rest:
            if not heap:
                break
            n, user_id = heapq.heappop(heap)
            by_user.setdefault(user_id, []).append(pk)
            heapq.heappush(heap, (n + 1, user_id))
            balanced += 1
        now = timezone.now()
        for user_id, ids in by_user.items():
            for i in range(0, len(ids), BULK):
                Target.objects.filter(pk__in=ids[i : i + BULK]).update(assignee_id=user_id, updated_at=now)
        result = {
            "by_zone": zone_count,
            "balanced": balanced,
            "unassigned": len(targets) - zone_count - balanced,
        }
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="outreach.target_list",
            object_id=f"{program.pk}:{period_start.isoformat()}:{dong.pk}",
            reason="방문 대상 자동 배정",
            detail=result,
        )
    return result


# ---------------------------------------------------------------------------------------------------
# Advance notice (사전안내)

WEEKDAYS = "월화수목금토일"


def target_contact(target: Target) -> tuple[str, str]:
    if target.resident_id is not None and target.resident is not None:
        return target.resident.phone, target.resident.name
    members = Resident.objects.filter(
        household_id=target.household_id or 0, status=Resident.Status.RESIDENT
    ).order_by("birth_date", "pk")
    head = next((m for m in members if m.relation == "본인"), None) or next(iter(members), None)
    if head is None:
        return "", ""
    phone = head.phone or next((m.phone for m in members if m.phone), "")
    return phone, head.name


def notice_render(template: MessageTemplate, target: Target, visit_on: dt.date) -> str:
    _, name = target_contact(target)
    staff = target.assignee
    values = {
        "이름": name,
        "방문예정일": f"{visit_on.month}월 {visit_on.day}일({WEEKDAYS[visit_on.weekday()]})",
        "담당자": (staff.full_name if staff else "") or "담당 복지플래너",
        "연락처": (staff.phone if staff else "") or "동 주민센터",
        "사업명": target.program.name,
        "동": target.dong.name,
    }
    text = template.body
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


PLACEHOLDERS = ("{이름}", "{방문예정일}", "{담당자}", "{연락처}", "{사업명}", "{동}")


def message_template_save(
    *, actor: User, code: str, name: str, body: str, active: bool = True, request: HttpRequest | None = None
) -> MessageTemplate:
    if not access.can_edit_templates(actor):
        raise PermissionDenied("안내 문자 서식을 고칠 권한이 없습니다.")
    district_id = actor.district_id or (actor.dong.district_id if actor.dong else None)
    errors: dict[str, list[str]] = {}
    if not body.strip():
        errors["body"] = ["문안을 적어 주세요."]
    import re

    unknown = [p for p in re.findall(r"\{[^{}]*\}", body) if p not in PLACEHOLDERS]
    if unknown:
        errors["body"] = [
            f"알 수 없는 자리표시: {', '.join(unknown)} (쓸 수 있는 것: {' '.join(PLACEHOLDERS)})"
        ]
    if not code.strip() or not name.strip():
        errors["name"] = ["코드와 이름을 적어 주세요."]
    if errors:
        raise ValidationFailed("입력한 내용을 확인해 주세요.", errors)
    with transaction.atomic():
        template, _ = MessageTemplate.objects.update_or_create(
            district_id=district_id,
            code=code.strip()[:40],
            defaults={"name": name.strip()[:60], "body": body.strip(), "active": active},
        )
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CHANGE,
            object_type="outreach.template",
            object_id=template.pk,
        )
    return template


def notice_send(
    *, actor: User, target_id: int, template_id: int, visit_on: dt.date, request: HttpRequest | None = None
) -> Notice:
    """Queue an advance notice and send it after commit through CHATDONG_SMS_BACKEND. Idempotent per
    target + template + visit date: asking again returns the same notice and sends nothing twice."""
    if not access.can_work(actor):
        raise PermissionDenied("사전안내를 보낼 권한이 없습니다.")
    with transaction.atomic():
        target = _target_for(actor, target_id)
        template = MessageTemplate.objects.filter(
            pk=template_id, district_id=target.program.district_id, active=True
        ).first()
        errors: dict[str, list[str]] = {}
        if template is None:
            errors["template"] = ["사용할 수 있는 안내 서식을 고르세요."]
        if target.status != Target.Status.OPEN:
            errors["target"] = ["진행 중인 대상에게만 보낼 수 있습니다."]
        if target.consent in Target.CONSENT_OUT:
            errors["target"] = ["방문을 거부(철회)한 대상에게는 안내를 보내지 않습니다."]
        if visit_on < today():
            errors["visit_on"] = ["방문 예정일은 오늘 이후여야 합니다."]
        phone, _ = target_contact(target)
        if not phone:
            errors["target"] = ["전화번호가 없어 문자를 보낼 수 없습니다."]
        if errors:
            raise ValidationFailed("사전안내를 보낼 수 없습니다.", errors)
        assert template is not None
        existing = Notice.objects.filter(target=target, template=template, visit_on=visit_on).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    target=target,
                    template=template,
                    visit_on=visit_on,
                    dong_id=target.dong_id,
                    phone=phone,
                    body=notice_render(template, target, visit_on),
                    requested_by=actor,
                )
        except IntegrityError:
            return Notice.objects.get(target=target, template=template, visit_on=visit_on)
        access_log_record(
            user=actor,
            request=request,
            action=AccessLog.Action.CREATE,
            object_type="outreach.notice",
            object_id=notice.pk,
            subjects=target_subjects(target),
            reason="사전안내 문자 발송",
        )
        notice_id = notice.pk
        transaction.on_commit(lambda: notices_dispatch(notice_ids=[notice_id]))
    return notice


def notices_dispatch(*, notice_ids: Sequence[int]) -> int:
    """Send queued notices through the configured backend; a notice is claimed (queued → sending) by one
    caller only, so running this twice sends nothing twice. Returns how many were sent."""
    from chatdong.outreach.sms import SmsMessage, sms_backend

    claimed = []
    for pk in notice_ids:
        if Notice.objects.filter(pk=pk, status=Notice.Status.QUEUED).update(status=Notice.Status.SENDING):
            claimed.append(pk)
    if not claimed:
        return 0
    notices = list(Notice.objects.filter(pk__in=claimed))
    results = sms_backend().send(
        [
            SmsMessage(key=f"notice-{n.pk}", notice_id=n.pk, dong_id=n.dong_id, phone=n.phone, body=n.body)
            for n in notices
        ]
    )
    by_key = {r.key: r for r in results}
    sent = 0
    for n in notices:
        result = by_key.get(f"notice-{n.pk}")
        ok = bool(result and result.ok)
        sent += ok
        Notice.objects.filter(pk=n.pk).update(
            status=Notice.Status.SENT if ok else Notice.Status.FAILED,
            result=(result.detail if result else "응답 없음")[:200],
            updated_at=timezone.now(),
        )
    return sent
