"""Access-log review pages: the log with filters, the chain check, and the periodic-review record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from chatdong.accounts.access import can_view_personal_data
from chatdong.accounts.models import User
from chatdong.audit import selectors, services
from chatdong.audit.access import can_review_audit
from chatdong.audit.forms import LogFilterForm, ReviewForm
from chatdong.core.errors import ValidationFailed

REVIEWS_PER_PAGE = 20


def _reviewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    if not can_review_audit(user):
        raise DjangoPermissionDenied("접속기록을 점검할 권한이 없습니다.")
    return user


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def log_list(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    form = LogFilterForm(request.GET)
    if form.is_valid():
        page = selectors.access_log_page(
            user=user,
            filters=form.to_filter(),
            before=_int_param(request, "before"),
            after=_int_param(request, "after"),
        )
    else:
        page = selectors.LogPage(rows=[], newer_than=None, older_than=None)
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("before", "after")),
        "link_residents": can_view_personal_data(user),
    }
    return render(request, "audit/log_list.html", context)


@login_required
@require_POST
def chain_verify(request: HttpRequest) -> HttpResponse:
    """Walk the hash chain now and show the result (a fragment for HTMX, else a page)."""
    _reviewer(request)
    report = services.audit_chain_check(max_problems=200)
    template = (
        "audit/_verify_result.html" if request.headers.get("HX-Request") == "true" else "audit/verify.html"
    )
    return render(request, template, {"report": report})


def _review_page(request: HttpRequest, user: User, form: ReviewForm, status: int = 200) -> HttpResponse:
    reviews = Paginator(selectors.audit_review_list(user=user), REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "audit/review_list.html", {"form": form, "page": reviews}, status=status)


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    return _review_page(request, user, ReviewForm())


@login_required
@require_POST
def review_create(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review = services.audit_review_record(
                reviewer=user,
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
                findings=form.cleaned_data["findings"],
            )
        except ValidationFailed as exc:
            form.add_error(None, str(exc))
        else:
            verdict = "위변조 없음" if review.chain_intact else "위변조 의심 — 즉시 확인이 필요합니다"
            messages.success(
                request,
                f"점검 기록을 남겼습니다: 기간 내 기록 {review.entries_in_period:,}건, "
                f"다운로드 {review.downloads_in_period:,}건, {verdict}.",
            )
            return redirect("audit:review_list")
    return _review_page(request, user, form)
