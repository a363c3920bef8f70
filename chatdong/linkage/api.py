"""API under /api/v1/ for the linkage app: the live check, client lists and the review queue. Handlers
only translate; access and the access log are in linkage.selectors / services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body, page_of
from chatdong.linkage import access, selectors, services, tasks
from chatdong.linkage.models import CandidatePair, ClientList, ClientListError
from chatdong.linkage.schemas import (
    CandidateOut,
    ClientListOut,
    DecisionIn,
    LiveCheckIn,
    PairOut,
    RowErrorOut,
    pair_out,
)
from chatdong.linkage.uploads import store_upload

router = Router(tags=["명단 대조"])


@router.post(
    "/linkage/live-check", response={200: list[CandidateOut], **ERRORS}, summary="기존 주민·사례 확인"
)
def live_check(request: HttpRequest, body: LiveCheckIn) -> list[selectors.Candidate]:
    """Possible existing residents and their open cases; POST so that an identity number stays out of URLs."""
    return selectors.possible_matches(
        user=api_user(request),
        request=request,
        name=body.name,
        birth_date=body.birth_date,
        phone=body.phone,
        address=body.address,
        rrn=body.rrn,
    )


@router.get("/linkage/lists", response={200: Page[ClientListOut], **ERRORS}, summary="명단 목록")
def client_list_index(request: HttpRequest, paging: Query[PageIn]) -> dict[str, object]:
    items, total = page_of(selectors.client_lists(user=api_user(request)), paging)
    return page_body(items, total, paging)


@router.post("/linkage/lists", response={201: ClientListOut, **ERRORS}, summary="명단 올리기")
def client_list_upload(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """Upload a client list (CSV or XLSX); linking runs in the background: follow GET /linkage/lists/{id}."""
    user = api_user(request)
    stored = store_upload(file)
    try:
        created = services.client_list_create(actor=user, filename=file.name or "", stored_path=str(stored))
    except Exception:
        stored.unlink(missing_ok=True)
        raise
    tasks.client_list_run_task.enqueue(created.pk)
    created.refresh_from_db()
    return Status(201, created)


@router.get("/linkage/lists/{list_id}", response={200: ClientListOut, **ERRORS}, summary="명단 처리 상태")
def client_list_status(request: HttpRequest, list_id: int) -> ClientList:
    return selectors.client_list_get(user=api_user(request), list_id=list_id)


@router.get(
    "/linkage/lists/{list_id}/errors", response={200: list[RowErrorOut], **ERRORS}, summary="명단 오류"
)
def client_list_errors(request: HttpRequest, list_id: int) -> list[ClientListError]:
    _, errors = selectors.client_list_errors(user=api_user(request), list_id=list_id)
    return list(errors)


@router.get("/linkage/lists/{list_id}/pairs", response={200: Page[PairOut], **ERRORS}, summary="후보 쌍")
def client_list_pairs(
    request: HttpRequest, list_id: int, paging: Query[PageIn], status: str | None = None
) -> dict[str, object]:
    user = api_user(request)
    _, pairs, total = selectors.review_pairs(
        user=user,
        list_id=list_id,
        status=status,
        request=request,
        offset=paging.offset,
        limit=paging.page_size,
    )
    details = access.sees_resident_details(user)
    return page_body([pair_out(p, details=details) for p in pairs], total, paging)


def _pair(request: HttpRequest, pair: CandidatePair) -> dict[str, object]:
    user = api_user(request)
    return pair_out(
        selectors.pair_get(user=user, pair_id=pair.pk), details=access.sees_resident_details(user)
    )


@router.post("/linkage/pairs/{pair_id}/decision", response={200: PairOut, **ERRORS}, summary="검토 결정")
def pair_decide(request: HttpRequest, pair_id: int, body: DecisionIn) -> dict[str, object]:
    pair = services.pair_decide(
        actor=api_user(request), pair_id=pair_id, decision=body.decision, request=request
    )
    return _pair(request, pair)


@router.post("/linkage/pairs/{pair_id}/undo", response={200: PairOut, **ERRORS}, summary="결정 되돌리기")
def pair_undo(request: HttpRequest, pair_id: int) -> dict[str, object]:
    pair = services.pair_undo(actor=api_user(request), pair_id=pair_id, request=request)
    return _pair(request, pair)
