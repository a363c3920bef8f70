"""Linkage pages: the live check partial (included in intake forms), client lists and the review queue.
Views only translate HTTP: access is decided in linkage.access and reads/writes are logged below."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.models import User
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.linkage import access, clients, selectors, services, tasks
from chatdong.linkage.forms import ClientListUploadForm, LiveCheckForm
from chatdong.linkage.models import CandidatePair, ClientList
from chatdong.linkage.uploads import store_upload

PAIRS_PER_PAGE = 30


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def live_check(request: HttpRequest) -> HttpResponse:
    """The possible existing residents and cases for what an intake form holds so far (HTMX partial)."""
    user = _staff(request)
    if not access.can_live_check(user):
        raise DjangoPermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    form = LiveCheckForm(request.GET)
    form.is_valid()
    data: dict[str, str] = {
        k: str(form.cleaned_data.get(k, "") or "") for k in ("name", "birth_date", "phone", "address", "rrn")
    }
    error = ""
    candidates: list[selectors.Candidate] = []
    asked = any(data.values())
    try:
        candidates = selectors.possible_matches(
            user=user,
            request=request,
            name=data["name"],
            birth_date=data["birth_date"],
            phone=data["phone"],
            address=data["address"],
            rrn=data["rrn"],
        )
    except ValidationFailed as exc:
        error = " ".join(m for msgs in exc.errors.values() for m in msgs) or str(exc)
    return render(
        request,
        "linkage/_live_check.html",
        {"candidates": candidates, "error": error, "asked": asked},
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_list_index(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    try:
        lists = selectors.client_lists(user=user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    form = ClientListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = store_upload(upload)
        try:
            created = services.client_list_create(actor=user, filename=upload.name, stored_path=str(stored))
        except ValidationFailed as exc:
            stored.unlink(missing_ok=True)
            form.add_error("file", str(exc))
        else:
            tasks.client_list_run_task.enqueue(created.pk)
            return redirect("linkage:client_list_detail", list_id=created.pk)
    page = Paginator(lists, 20).get_page(request.GET.get("page"))
    return render(
        request, "linkage/client_list_index.html", {"form": form, "page": page, "columns": clients.COLUMNS}
    )


def _list(request: HttpRequest, list_id: int) -> ClientList:
    try:
        return selectors.client_list_get(user=_staff(request), list_id=list_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_GET
def client_list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    user = _staff(request)
    client_list = _list(request, list_id)
    status = request.GET.get("status") or ""
    if status not in CandidatePair.Status.values:
        status = CandidatePair.Status.PENDING
    page_text = request.GET.get("page", "1")
    page_number = max(1, int(page_text)) if page_text.isdigit() else 1
    _, pairs, total = selectors.review_pairs(
        user=user,
        list_id=list_id,
        status=status,
        request=request,
        offset=(page_number - 1) * PAIRS_PER_PAGE,
        limit=PAIRS_PER_PAGE,
    )
    context = {
        "client_list": client_list,
        "pairs": pairs,
        "total": total,
        "status": status,
        "statuses": CandidatePair.Status.choices,
        "page_number": page_number,
        "has_next": page_number * PAIRS_PER_PAGE < total,
        "errors": client_list.errors.all()[:500] if client_list.status == ClientList.Status.FAILED else [],
        "details": access.sees_resident_details(user),
        "running": client_list.status in (ClientList.Status.QUEUED, ClientList.Status.RUNNING),
    }
    if request.headers.get("HX-Request") == "true" and request.GET.get("part") == "status":
        return render(request, "linkage/_list_status.html", context)
    return render(request, "linkage/client_list_detail.html", context)


def _pair_response(request: HttpRequest, pair: CandidatePair, message: str = "") -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        user = _staff(request)
        pair = selectors.pair_get(user=user, pair_id=pair.pk)
        return render(
            request,
            "linkage/_pair_row.html",
            {"pair": pair, "details": access.sees_resident_details(user), "message": message},
        )
    return redirect("linkage:client_list_detail", list_id=pair.client_list_id)


@login_required
@require_POST
def pair_decide(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = _staff(request)
    decision = request.POST.get("decision", "")
    try:
        pair = services.pair_decide(actor=user, pair_id=pair_id, decision=decision, request=request)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ValidationFailed as exc:
        pair = selectors.pair_get(user=user, pair_id=pair_id)
        return _pair_response(request, pair, str(exc))
    return _pair_response(request, pair)


@login_required
@require_POST
def pair_undo(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = _staff(request)
    try:
        pair = services.pair_undo(actor=user, pair_id=pair_id, request=request)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ValidationFailed as exc:
        pair = selectors.pair_get(user=user, pair_id=pair_id)
        return _pair_response(request, pair, str(exc))
    return _pair_response(request, pair)
