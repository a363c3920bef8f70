"""Home page per role and the 동 overview (figures, zone map, staff). Aggregates only: no resident's
personal data is shown here, so nothing is written to the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from chatdong.accounts import access, selectors
from chatdong.accounts.models import Scope, User
from chatdong.core import navigation
from chatdong.core.selectors import dong_overview, dong_summaries

_ERROR_TITLES = {403: "권한이 없습니다", 404: "찾을 수 없습니다"}
_ERROR_MESSAGES = {
    403: "이 화면을 쓸 권한이 없습니다.",
    404: "주소가 바뀌었거나, 볼 수 있는 범위 밖의 자료입니다.",
}


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """403/404 page in the site layout. A 404 never says whether the record exists."""
    context = {
        "status": status,
        "title": _ERROR_TITLES.get(status, "오류"),
        "message": message if status != 404 and message else _ERROR_MESSAGES.get(status, ""),
    }
    return render(request, "core/error.html", context, status=status)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required has run


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, object] = {
        "cards": navigation.home_cards(user),
        "intro": navigation.ROLE_INTRO.get(user.role, ""),
        "zones": [(z, selectors.zone_bans_label(z)) for z in selectors.zones_of(user=user)],
    }
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id:
        own = access.dongs_in_scope(user).filter(pk=user.dong_id).first()
        if own is not None and access.can_manage_zones_in(user, own):
            context["coverage_dong"] = own
            context["coverage"] = selectors.zone_coverage_problems(dong=own)
    if user.scope == Scope.AGENCY and user.agency_id:
        context["agency"] = user.agency
    return render(request, "core/home.html", context)


@login_required
def dong_list(request: HttpRequest) -> HttpResponse:
    """All 동 the user covers, with their headline figures; one 동 goes straight to its overview."""
    dongs = access.dongs_in_scope(_user(request)).order_by("code")
    ids = list(dongs.values_list("pk", flat=True))
    if not ids:
        return error_page(request, 403, "동 현황을 볼 수 있는 역할이 아닙니다.")
    if len(ids) == 1:
        return redirect("core:dong_detail", dong_id=ids[0])
    figures = dong_summaries(dongs=dongs)
    coverage = selectors.coverage_by_dong(dongs=dongs)
    rows = [(dong, figures[dong.pk], coverage[dong.pk]) for dong in dongs]
    totals: dict[str, float] = {
        "residents": sum(f.residents for _, f, _ in rows),
        "households": sum(f.households for _, f, _ in rows),
        "aged_65_plus": sum(f.aged_65_plus for _, f, _ in rows),
        "basic_livelihood": sum(f.basic_livelihood for _, f, _ in rows),
        "uncovered_bans": sum(c.uncovered_bans for _, _, c in rows),
        "staff_without_zone": sum(c.staff_without_zone for _, _, c in rows),
    }
    totals["aged_65_share"] = 100 * totals["aged_65_plus"] / totals["residents"] if totals["residents"] else 0
    return render(request, "core/dong_list.html", {"rows": rows, "totals": totals})


@login_required
def dong_detail(request: HttpRequest, dong_id: int) -> HttpResponse:
    user = _user(request)
    if user.role not in access.OVERVIEW_ROLES:  # as on the 동 list and in the API: the role, not the record
        return error_page(request, 403, "동 현황을 볼 수 있는 역할이 아닙니다.")
    dong = access.dongs_in_scope(user).select_related("district").filter(pk=dong_id).first()
    if dong is None:
        return error_page(request, 404)
    rows = selectors.zone_map(dong=dong)
    staff = selectors.dong_staff(dong=dong)
    coverage = selectors.zone_coverage_problems(dong=dong, rows=rows)
    without_zone = {u.pk for u in coverage.staff_without_zone}
    context = {
        "dong": dong,
        "figures": dong_overview(dong=dong),
        "rows": rows,
        "coverage": coverage,
        "zones": selectors.dong_zones(dong=dong),
        "staff": [
            (u, [z for z in u.zones.all() if z.dong_id == dong.pk], u.pk in without_zone) for u in staff
        ],
        "can_manage_zones": access.can_manage_zones_in(user, dong),
        "many_dongs": access.dongs_in_scope(user).count() > 1,
    }
    return render(request, "core/dong_detail.html", context)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from django.core.paginator import Paginator

    from chatdong.core.notify import notifications_for, notifications_mark_read

    user = _user(request)
    if request.method == "POST":
        notifications_mark_read(user=user)
        return redirect("core:notifications")
    page = Paginator(notifications_for(user), 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
