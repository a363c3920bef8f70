"""Registry pages: resident search and detail, households, and the import of extracts.

Views only translate HTTP to selector/service calls: access is decided in registry.access, reads are
logged by the selectors, and a denied or out-of-scope request writes nothing."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatdong.accounts.models import User
from chatdong.audit.models import AccessLog
from chatdong.audit.services import access_log_record
from chatdong.core.errors import NotFound, PermissionDenied, ValidationFailed
from chatdong.registry import access, selectors, services, tasks
from chatdong.registry.extract_format import COLUMNS
from chatdong.registry.forms import ImportUploadForm, ReasonForm, SearchForm
from chatdong.registry.models import ImportBatch, Resident

ERRORS_PER_PAGE = 50
BATCHES_PER_PAGE = 20
# What the importer's summary keys mean: the headline figures, then the details (zeros left out).
SUMMARY_MAIN = {
    "rows": "처리한 행",
    "created": "새로 등록",
    "updated": "변경",
    "unchanged": "변경 없음",
    "absent_moved_out": "자료에 없어 전출 처리",
}
SUMMARY_DETAIL = {
    "born": "출생",
    "registered": "등록",
    "moved_in": "전입",
    "returned": "재전입",
    "moved": "주소 이동",
    "renamed": "성명 변경",
    "moved_out": "전출",
    "deceased": "사망",
    "households_created": "새 세대",
    "households_moved": "세대 주소 이동",
    "tongs_created": "새 통",
    "bans_created": "새 반",
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _require_personal_data(user: User) -> None:
    if not access.can_view_personal_data(user):
        raise DjangoPermissionDenied("주민 정보를 조회할 권한이 없습니다.")


def _require_import(user: User) -> None:
    if not access.can_import(user):
        raise DjangoPermissionDenied("주민자료를 등록할 권한이 없습니다.")


# --- residents ------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    _require_personal_data(user)
    form = SearchForm(request.GET or None)
    result = None
    error = ""
    if form.is_valid() and form.cleaned_data["q"]:
        try:
            result = selectors.resident_search(
                user=user,
                request=request,
                query=form.cleaned_data["q"],
                kind=form.cleaned_data["kind"],
                include_inactive=form.cleaned_data["inactive"],
            )
        except ValidationFailed as exc:
            error = str(exc)
    elif form.is_bound and not form.is_valid():
        error = "검색어를 확인해 주세요."
    context = {"form": form, "result": result, "error": error}
    template = "registry/_search_results.html" if _is_htmx(request) else "registry/search.html"
    return render(request, template, context)


def _profile(request: HttpRequest, resident_id: int, action: str) -> selectors.ResidentProfile:
    user = _staff(request)
    _require_personal_data(user)
    try:
        return selectors.resident_profile(user=user, request=request, resident_id=resident_id, action=action)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_GET
def resident_detail(request: HttpRequest, resident_id: int) -> HttpResponse:
    profile = _profile(request, resident_id, AccessLog.Action.VIEW)
    return render(request, "registry/resident_detail.html", {"p": profile, "reveal_form": ReasonForm()})


@login_required
@require_GET
def resident_print(request: HttpRequest, resident_id: int) -> HttpResponse:
    profile = _profile(request, resident_id, AccessLog.Action.PRINT)
    return render(request, "registry/resident_print.html", {"p": profile})


@login_required
@require_POST
def resident_reveal(request: HttpRequest, resident_id: int) -> HttpResponse:
    """The full 주민등록번호, for a stated reason (logged by the selector)."""
    user = _staff(request)
    _require_personal_data(user)
    form = ReasonForm(request.POST)
    number = ""
    if form.is_valid():
        try:
            number = selectors.resident_reveal_rrn(
                user=user, request=request, resident_id=resident_id, reason=form.cleaned_data["reason"]
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except ValidationFailed as exc:
            form.add_error("reason", str(exc))
    elif not access.residents_visible_to(user).filter(pk=resident_id).exists():
        raise Http404("주민을 찾을 수 없습니다.")
    context = {"form": form, "number": number, "resident_id": resident_id}
    if _is_htmx(request):
        return render(request, "registry/_rrn_reveal.html", context)
    context["resident"] = access.residents_visible_to(user).get(pk=resident_id)
    return render(request, "registry/rrn_reveal.html", context)


@login_required
@require_GET
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    user = _staff(request)
    _require_personal_data(user)
    try:
        household, members = selectors.household_get(user=user, request=request, household_id=household_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    inactive = sum(1 for m in members if m.status != Resident.Status.RESIDENT)
    context = {"household": household, "members": members, "inactive": inactive}
    return render(request, "registry/household_detail.html", context)


# --- imports ----------------------------------------------------------------------------------------


def _store_upload(upload: UploadedFile) -> Path:
    """Save under MEDIA_ROOT/imports/ with a random name, readable by this account only."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{Path(upload.name or '').suffix.lower()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    _require_import(user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = _store_upload(upload)
        try:
            batch = services.import_batch_create(actor=user, filename=upload.name, stored_path=str(stored))
        except (PermissionDenied, ValidationFailed) as exc:
            stored.unlink(missing_ok=True)
            if isinstance(exc, PermissionDenied):
                raise DjangoPermissionDenied(str(exc)) from exc
            form.add_error("file", str(exc))
        else:
            tasks.import_batch_run_task.enqueue(batch.pk)
            return redirect("registry:import_detail", batch_id=batch.pk)
    batches = access.import_batches_visible_to(user).select_related("uploaded_by")
    page = Paginator(batches, BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registry/import_list.html", {"form": form, "page": page, "columns": COLUMNS})


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    user = _staff(request)
    _require_import(user)
    batch = access.import_batches_visible_to(user).select_related("uploaded_by").filter(pk=batch_id).first()
    if batch is None:
        raise Http404("등록 기록을 찾을 수 없습니다.")
    return batch


def _finished(batch: ImportBatch) -> bool:
    return batch.status in (ImportBatch.Status.SUCCEEDED, ImportBatch.Status.FAILED)


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    done, total = selectors.import_progress(batch=batch)
    percent = min(100, done * 100 // total) if total else 0
    return {"batch": batch, "done": done, "total": total, "percent": percent}


@login_required
@require_GET
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    context: dict[str, Any] = {"batch": batch, "finished": _finished(batch)}
    if not context["finished"]:
        context.update(_progress_context(batch))
    elif batch.status == ImportBatch.Status.SUCCEEDED:
        summary = batch.summary or {}
        context["summary"] = [(label, summary.get(key, 0)) for key, label in SUMMARY_MAIN.items()]
        context["summary_detail"] = [
            (label, summary[key]) for key, label in SUMMARY_DETAIL.items() if summary.get(key)
        ]
    else:
        page = Paginator(batch.errors.all(), ERRORS_PER_PAGE).get_page(request.GET.get("page"))
        context["errors_page"] = page
        context["download_form"] = ReasonForm()
        if page.object_list:
            # The rejected values may be personal data (names, identity numbers): showing them is a view.
            access_log_record(
                user=_staff(request),
                request=request,
                action=AccessLog.Action.VIEW,
                object_type="import_errors",
                object_id=batch.pk,
                detail={"page": page.number},
            )
    return render(request, "registry/import_detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    if _finished(batch) and _is_htmx(request):
        # Reload the whole page, which then shows the summary or the errors.
        response = HttpResponse("완료되었습니다. 결과를 불러옵니다…")
        response["HX-Refresh"] = "true"
        return response
    context = _progress_context(batch) | {"oob": _is_htmx(request)}
    return render(request, "registry/_import_progress.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    """Download every error of a failed import as CSV, for a stated reason (logged as a download)."""
    batch = _batch(request, batch_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access_log_record(
            user=_staff(request),
            request=request,
            action=AccessLog.Action.DOWNLOAD,
            object_type="import_errors",
            object_id=batch.pk,
            reason=form.cleaned_data["reason"],
        )
        lines: Iterator[str] = selectors.import_errors_csv(batch=batch)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
        return response
    return render(request, "registry/import_errors.html", {"batch": batch, "download_form": form})
