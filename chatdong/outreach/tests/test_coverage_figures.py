"""방문 현황 figures on a small constructed world: exact counts per cell, and the list behind every cell
has exactly as many rows as the cell says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from chatdong.accounts.models import Role, User
from chatdong.audit.models import AccessLog
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.outreach import coverage
from chatdong.outreach.coverage import FIGURE_NAMES, Figures
from chatdong.outreach.models import Program, Target
from chatdong.referrals.models import Referral
from chatdong.registry.models import Household, Resident
from chatdong.testing.factories import ResidentFactory
from chatdong.testing.world import World, build_world, make
from chatdong.visits.services import targets_visit_facts_refresh

pytestmark = pytest.mark.django_db

YEAR = 2026
ON = dt.date(2026, 6, 15)  # the day "overdue" is judged against
PAST = dt.date(2026, 3, 1)
TARGET_HAS_BAN = any(f.name == "ban" for f in Target._meta.get_fields())
FUTURE = dt.date(2099, 12, 31)  # never past, whatever day the tests run


@dataclass
class CoverageWorld:
    w: World
    elder: Program  # 어르신 복지플래너, yearly, persons
    poverty: Program  # 빈곤위기가정, yearly, households
    infant: Program  # 영유아 건강간호, monthly
    targets: dict[str, Target]

    @property
    def district_user(self) -> User:
        return self.w.users[Role.DISTRICT_STAFF]

    @property
    def dong_head(self) -> User:
        return self.w.users[Role.DONG_HEAD]

    @property
    def planner(self) -> User:
        return self.w.users[Role.PLANNER_ELDER]


def _resident(w: World, household: Household, name: str) -> Resident:
    return make(Resident, ResidentFactory, household=household, name=name, relation="세대원")


def _program(w: World, code: str, kind: str, unit: str = "person", period: str = "year") -> Program:
    return Program.objects.create(
        district=w.district,
        code=code,
        name=dict(Program.Kind.choices)[kind],
        kind=kind,
        unit=unit,
        period=period,
    )


def _visit(t: Target, outcome: str, *, staff: User, due_on: dt.date | None = None, attempt: int = 1) -> None:
    from chatdong.visits.models import Visit

    Visit.objects.create(
        target=t,
        dong=t.dong,
        resident=t.resident,
        household=t.household,
        staff=staff,
        outcome=outcome,
        due_on=due_on,
        attempt=attempt,
    )


def _referral(
    w: World, *, resident: Resident | None, household: Household | None, source: str, status: str
) -> None:
    Referral.objects.create(
        district=w.district,
        dong=(resident or household).dong,  # type: ignore[union-attr]
        resident=resident,
        household=household,
        need_category="health",
        summary="의뢰",
        sender=w.users[Role.PLANNER_ELDER],
        to_kind=Referral.To.HEALTH,
        source=source,
        status=status,
        due_on=FUTURE,
    )


def build_coverage_world() -> CoverageWorld:
    """동 A (가동) and 동 B (나동) of 성북구, 동 X of 종로구. Expected figures: see EXPECTED."""
    w = build_world()
    elder = _program(w, "elder", Program.Kind.ELDER_PLANNER)
    poverty = _program(w, "poverty", Program.Kind.POVERTY, unit="household")
    infant = _program(w, "infant", Program.Kind.INFANT_HEALTH, period="month")
    planner = w.users[Role.PLANNER_ELDER]
    r_z2_second = _resident(w, w.hh_z2, "김나이")
    r_b_second = _resident(w, w.hh_b, "김라이")
    r_a_free_second = _resident(w, w.hh_a_free, "김다이")
    year = {"period_start": dt.date(YEAR, 1, 1), "period_end": dt.date(YEAR, 12, 31)}

    def target(
        key: str,
        program: Program,
        *,
        resident: Resident | None = None,
        household: Household | None = None,
        **kwargs: object,
    ) -> Target:
        place = resident if resident is not None else household
        assert place is not None
        values: dict[str, object] = {**year, "reason": key, "dong": place.dong}
        if TARGET_HAS_BAN:  # the 반 the target lists record (the targets feature's field)
            values["ban"] = place.ban
        values.update(kwargs)
        return Target.objects.create(program=program, resident=resident, household=household, **values)

    t: dict[str, Target] = {}
    # 동 A, 어르신 복지플래너
    t["a1"] = target("a1", elder, resident=w.r_z1, consent="given", status="done", assignee=planner)
    _visit(t["a1"], "visited", staff=planner)
    t["a2"] = target("a2", elder, resident=w.r_z2, assignee=planner)
    _visit(t["a2"], "absent", staff=planner)
    _visit(t["a2"], "planned", staff=planner, due_on=PAST, attempt=2)  # overdue
    t["a3"] = target("a3", elder, resident=w.r_a_free, consent="refused", assignee=planner)
    t["a4"] = target("a4", elder, resident=w.r_z1_child, consent="given")
    _visit(t["a4"], "refused", staff=planner)
    _referral(w, resident=w.r_z1_child, household=None, source="visit", status="sent")
    t["a5"] = target("a5", elder, resident=w.r_z1_moved_out, status="cancelled")  # counted nowhere
    _visit(t["a5"], "visited", staff=planner)
    t["a6"] = target("a6", elder, resident=r_z2_second, consent="withdrawn")
    _visit(t["a6"], "visited", staff=planner)
    t["a7"] = target("a7", elder, resident=r_a_free_second)
    _visit(t["a7"], "planned", staff=planner, due_on=FUTURE)  # pending, not yet overdue
    _referral(w, resident=t["a7"].resident, household=None, source="visit", status="done")  # closed
    _referral(w, resident=t["a7"].resident, household=None, source="desk", status="sent")  # not from a visit
    # A target of the year before: never in 2026's figures.
    t["a8"] = target(
        "a8", elder, resident=w.r_z1, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31)
    )
    # 동 A, 빈곤위기가정 (household): overdue by its own due date, open referral from a screening.
    t["h1"] = target("h1", poverty, household=w.hh_z1, consent="given", due_on=PAST)
    _visit(t["h1"], "absent", staff=planner)
    _referral(w, resident=None, household=w.hh_z1, source="screening", status="accepted")
    # 동 B
    t["b1"] = target("b1", elder, resident=w.r_b, consent="given", assignee=w.planner_b)
    _visit(t["b1"], "visited", staff=w.planner_b)
    t["b2"] = target("b2", elder, resident=r_b_second, assignee=w.planner_b, due_on=FUTURE)
    t["m1"] = target(
        "m1", infant, resident=r_b_second, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31)
    )
    # 종로구: another district, never counted.
    other = Program.objects.create(
        district=w.other_district, code="elder", name="어르신", kind=Program.Kind.ELDER_PLANNER
    )
    t["x1"] = Target.objects.create(program=other, resident=w.r_x, dong=w.dong_x, reason="x1", **year)
    # The visits above were written directly, not recorded through visits.services: set what recording
    # them would have set on their targets (Target.visit_made / visit_refused), as a bulk load does.
    targets_visit_facts_refresh()
    return CoverageWorld(w=w, elder=elder, poverty=poverty, infant=infant, targets=t)


def F(**values: int) -> Figures:
    return Figures(**values)


# (동 name, program code) → figures of 2026, as the world above is built.
EXPECTED = {
    ("가동", "elder"): F(
        targets=6, consented=2, visited=2, refused=3, pending=2, overdue=1, referrals_open=1
    ),
    ("가동", "poverty"): F(
        targets=1, consented=1, visited=0, refused=0, pending=1, overdue=1, referrals_open=1
    ),
    ("나동", "elder"): F(
        targets=2, consented=1, visited=1, refused=0, pending=1, overdue=0, referrals_open=0
    ),
    ("나동", "infant"): F(
        targets=1, consented=0, visited=0, refused=0, pending=1, overdue=0, referrals_open=0
    ),
}
TOTAL = F(targets=10, consented=4, visited=3, refused=3, pending=5, overdue=2, referrals_open=2)


@pytest.fixture
def cw() -> CoverageWorld:
    return build_coverage_world()


def _figures(cw: CoverageWorld, user: User, by: str, **filters: int | None) -> coverage.Coverage:
    return coverage.coverage_figures(
        user=user, filters=coverage.coverage_filters(user=user, year=YEAR, **filters), by=by, on=ON
    )


def test_district_figures_by_dong_and_program(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.district_user, "dong_program")
    assert {(r.dong.name, r.program.code): r.figures for r in result.rows} == EXPECTED  # type: ignore[union-attr]
    assert result.totals == TOTAL


def test_figures_by_dong_cover_every_dong_in_scope(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.district_user, "dong")
    assert [(r.dong.name, r.figures) for r in result.rows] == [  # type: ignore[union-attr]
        ("가동", F(targets=7, consented=3, visited=2, refused=3, pending=3, overdue=2, referrals_open=2)),
        ("나동", F(targets=3, consented=1, visited=1, refused=0, pending=2, overdue=0, referrals_open=0)),
    ]
    assert [(d, f) for d, f in coverage.rows_by_dong(_figures(cw, cw.district_user, "dong_program"))] == [
        (r.dong, r.figures) for r in result.rows
    ]


def test_figures_by_program(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.district_user, "program")
    assert [(r.program.code, r.figures.targets, r.figures.visited) for r in result.rows] == [  # type: ignore[union-attr]
        ("elder", 8, 3),
        ("infant", 1, 0),
        ("poverty", 1, 0),
    ]


def test_figures_by_staff_of_one_dong(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.district_user, "staff", dong_id=cw.w.dong_a.pk)
    assert [(r.staff.username if r.staff else None, r.unassigned, r.figures) for r in result.rows] == [
        ("u-planner_elder", False, F(targets=3, consented=1, visited=1, refused=1, pending=1, overdue=1)),
        (None, True, F(targets=4, consented=2, visited=1, refused=2, pending=2, overdue=1, referrals_open=2)),
    ]


def test_month_selects_the_lists_that_overlap_it(cw: CoverageWorld) -> None:
    march = _figures(cw, cw.district_user, "program", month=3)
    april = _figures(cw, cw.district_user, "program", month=4)
    assert [(r.program.code, r.figures.targets) for r in march.rows] == [  # type: ignore[union-attr]
        ("elder", 8),
        ("infant", 1),
        ("poverty", 1),
    ]
    assert [(r.program.code, r.figures.targets) for r in april.rows] == [  # type: ignore[union-attr]
        ("elder", 8),
        ("infant", 0),
        ("poverty", 1),
    ]


def test_program_filter(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.district_user, "dong", program_id=cw.poverty.pk)
    assert [(r.dong.name, r.figures.targets) for r in result.rows] == [("가동", 1), ("나동", 0)]  # type: ignore[union-attr]


def test_dong_role_sees_only_its_dong(cw: CoverageWorld) -> None:
    result = _figures(cw, cw.dong_head, "dong_program")
    assert {(r.dong.name, r.program.code): r.figures for r in result.rows} == {  # type: ignore[union-attr]
        k: v for k, v in EXPECTED.items() if k[0] == "가동"
    }
    assert [d.name for d in result.dongs] == ["가동"]


def test_dong_role_asking_for_another_dong_is_not_found(cw: CoverageWorld) -> None:
    with pytest.raises(NotFound):
        coverage.coverage_filters(user=cw.dong_head, year=YEAR, dong_id=cw.w.dong_b.pk)
    with pytest.raises(NotFound):
        coverage.coverage_filters(user=cw.district_user, year=YEAR, dong_id=cw.w.dong_x.pk)


def test_program_of_another_district_is_not_found(cw: CoverageWorld) -> None:
    with pytest.raises(NotFound):
        coverage.coverage_filters(user=cw.district_user, year=YEAR, program_id=cw.targets["x1"].program_id)


def test_agency_worker_sees_no_figures(cw: CoverageWorld) -> None:
    with pytest.raises(PermissionDenied):
        coverage.coverage_filters(user=cw.w.users[Role.AGENCY_WORKER], year=YEAR)


def test_bad_period_is_refused(cw: CoverageWorld) -> None:
    with pytest.raises(ValidationFailed):
        coverage.coverage_filters(user=cw.district_user, year=YEAR, month=13)


def test_every_cells_list_matches_its_count(cw: CoverageWorld) -> None:
    user = cw.district_user
    result = _figures(cw, user, "dong_program")
    counted, listed = [], []
    for row in result.rows:
        filters = coverage.Filters(period=coverage.Period(YEAR), program=row.program, dong=row.dong)
        for name in FIGURE_NAMES:
            listing = coverage.coverage_target_list(
                user=user, request=None, filters=filters, figure=name, limit=100, on=ON
            )
            counted.append((row.dong.name, row.program.code, name, getattr(row.figures, name)))  # type: ignore[union-attr]
            listed.append((row.dong.name, row.program.code, name, listing.total))  # type: ignore[union-attr]
            assert len(listing.targets) == listing.total
    assert listed == counted


def test_staff_cells_lists_match_their_counts(cw: CoverageWorld) -> None:
    user = cw.dong_head
    result = _figures(cw, user, "staff", dong_id=cw.w.dong_a.pk)
    counted = [(r.staff_id, name, getattr(r.figures, name)) for r in result.rows for name in FIGURE_NAMES]
    listed = [
        (
            r.staff_id,
            name,
            coverage.coverage_target_list(
                user=user,
                request=None,
                filters=coverage.Filters(coverage.Period(YEAR), dong=cw.w.dong_a, staff_id=r.staff_id),
                figure=name,
                on=ON,
            ).total,
        )
        for r in result.rows
        for name in FIGURE_NAMES
    ]
    assert listed == counted


def test_list_names_the_targets_and_is_logged(cw: CoverageWorld) -> None:
    user = cw.district_user
    filters = coverage.Filters(coverage.Period(YEAR), program=cw.elder, dong=cw.w.dong_a)
    listing = coverage.coverage_target_list(user=user, request=None, filters=filters, figure="overdue", on=ON)
    assert [t.reason for t in listing.targets] == ["a2"]
    assert coverage.target_due(listing.targets[0]) == PAST
    log = AccessLog.objects.get()
    assert (log.action, log.object_type, log.subjects, log.username) == (
        AccessLog.Action.VIEW,
        "outreach_coverage_list",
        [cw.w.r_z2.pk],
        "u-district_staff",
    )
    assert log.detail["figure"] == "overdue"


def test_list_of_a_zone_officer_is_her_zone_only(cw: CoverageWorld) -> None:
    officer = cw.w.users[Role.OFFICER]
    listing = coverage.coverage_target_list(
        user=officer, request=None, filters=coverage.Filters(coverage.Period(YEAR)), figure="targets", on=ON
    )
    assert sorted(t.reason for t in listing.targets) == ["a1", "a4", "h1"]
    assert listing.partial is True


def test_list_for_role_without_personal_data_is_denied_and_not_logged(cw: CoverageWorld) -> None:
    with pytest.raises(PermissionDenied):
        coverage.coverage_target_list(
            user=cw.w.users[Role.SUPPORT_TEAM],
            request=None,
            filters=coverage.Filters(coverage.Period(YEAR)),
            figure="targets",
        )
    assert AccessLog.objects.count() == 0


def test_unknown_figure_is_refused(cw: CoverageWorld) -> None:
    with pytest.raises(ValidationFailed):
        coverage.coverage_target_list(
            user=cw.district_user, request=None, filters=coverage.Filters(coverage.Period(YEAR)), figure="x"
        )
    assert AccessLog.objects.count() == 0


def test_download_needs_a_reason(cw: CoverageWorld) -> None:
    filters = coverage.Filters(coverage.Period(YEAR))
    with pytest.raises(ValidationFailed):
        coverage.coverage_target_download(
            user=cw.district_user, request=None, filters=filters, figure="targets", reason="  "
        )
    assert AccessLog.objects.count() == 0
    listing = coverage.coverage_target_download(
        user=cw.district_user, request=None, filters=filters, figure="refused", reason="분기 점검", on=ON
    )
    assert sorted(t.reason for t in listing.targets) == ["a3", "a4", "a6"]
    log = AccessLog.objects.get()
    assert (log.action, log.reason, log.subject_count) == (AccessLog.Action.DOWNLOAD, "분기 점검", 3)
