"""API: resident search and detail, resident history, households, 동 figures. Handlers only translate;
scoping and the access log are in chatdong.registry.selectors / access."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from chatdong.accounts.access import can_view_personal_data
from chatdong.accounts.api_selectors import dong_get
from chatdong.accounts.models import User
from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body
from chatdong.core.errors import PermissionDenied
from chatdong.core.selectors import AGE_BANDS
from chatdong.registry import selectors
from chatdong.registry.models import Resident
from chatdong.registry.schemas import (
    DongOverviewOut,
    HouseholdDetailOut,
    HouseholdListOut,
    ResidentChangeOut,
    ResidentDetailOut,
    ResidentSearchIn,
    ResidentSearchOut,
)

router = Router()


def _personal_data_user(request: HttpRequest) -> User:
    """The caller, if their role may see residents' personal data at all (else 403)."""
    user = api_user(request)
    if not can_view_personal_data(user):
        raise PermissionDenied("주민 정보를 조회할 권한이 없습니다.")
    return user


def _search(request: HttpRequest, params: ResidentSearchIn) -> dict[str, object]:
    result = selectors.resident_search(
        user=_personal_data_user(request),
        request=request,
        query=params.q,
        kind=params.kind,
        include_inactive=params.include_inactive,
        limit=params.limit,
    )
    return {"kind": result.kind, "truncated": result.truncated, "items": result.residents}


@router.get("/residents", response={200: ResidentSearchOut, **ERRORS}, tags=["주민"], summary="주민 검색")
def resident_search(request: HttpRequest, params: Query[ResidentSearchIn]) -> dict[str, object]:
    """볼 수 있는 범위(구·동·담당구역)의 주민을 이름·전화번호·도로명주소·주민등록번호로 찾습니다.
    접속기록에 남습니다. 주민등록번호로 찾을 때는 번호가 URL(서버 로그)에 남지 않도록
    POST /api/v1/residents/search 를 쓰세요."""
    return _search(request, params)


@router.post(
    "/residents/search", response={200: ResidentSearchOut, **ERRORS}, tags=["주민"], summary="주민 검색(POST)"
)
def resident_search_post(request: HttpRequest, params: ResidentSearchIn) -> dict[str, object]:
    """GET /residents 와 같되 검색어를 본문(JSON)으로 보냅니다."""
    return _search(request, params)


@router.get(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **ERRORS},
    tags=["주민"],
    summary="주민 상세",
)
def resident_detail(request: HttpRequest, resident_id: int) -> Resident:
    """주민등록번호는 가린 형태(YYMMDD-S******)로만 나옵니다. 접속기록에 남습니다."""
    return selectors.resident_get(user=_personal_data_user(request), request=request, resident_id=resident_id)


@router.get(
    "/residents/{resident_id}/changes",
    response={200: list[ResidentChangeOut], **ERRORS},
    tags=["주민"],
    summary="주민 변동 이력",
)
def resident_changes(request: HttpRequest, resident_id: int) -> list[object]:
    """전입·전출·사망·개명·주소 이동 등, 최근 것부터. 접속기록에 남습니다."""
    return list(
        selectors.resident_change_list(
            user=_personal_data_user(request), request=request, resident_id=resident_id
        )
    )


@router.get(
    "/households", response={200: Page[HouseholdListOut], **ERRORS}, tags=["세대"], summary="세대 목록"
)
def household_list(
    request: HttpRequest, paging: Query[PageIn], dong_id: int | None = None, ban_id: int | None = None
) -> dict[str, object]:
    """한 동(dong_id) 또는 한 반(ban_id)의 세대(현재 거주자가 있는 세대), 주소 순. 검색으로 접속기록에 남습니다."""
    rows, total = selectors.household_list(
        user=_personal_data_user(request),
        request=request,
        dong_id=dong_id,
        ban_id=ban_id,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return page_body(rows, total, paging)


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **ERRORS},
    tags=["세대"],
    summary="세대 상세",
)
def household_detail(request: HttpRequest, household_id: int) -> dict[str, object]:
    """세대와 세대원(전출·사망 포함). 접속기록에 남습니다."""
    household, members = selectors.household_get(
        user=_personal_data_user(request), request=request, household_id=household_id
    )
    return {"household": household, "members": members}


@router.get(
    "/dongs/{dong_id}/overview", response={200: DongOverviewOut, **ERRORS}, tags=["조직"], summary="동 현황"
)
def dong_overview(request: HttpRequest, dong_id: int) -> dict[str, object]:
    """나이대별 인구, 세대 수, 복지 대상 수(개인정보 없는 집계)."""
    user = api_user(request)
    figures = selectors.dong_overview_for(user=user, dong_id=dong_id)
    return {
        "dong": dong_get(user=user, dong_id=dong_id),
        "residents": figures.residents,
        "households": figures.households,
        "age_bands": {
            (f"{low}-{high}" if high is not None else f"{low}+"): band.count
            for (low, high), band in zip(AGE_BANDS, figures.age_bands, strict=True)
        },
        "basic_livelihood": figures.basic_livelihood,
        "near_poor": figures.near_poor,
        "disability": figures.disability_severe + figures.disability_mild,
        "single_elder": figures.single_elder,
        "single_parent": figures.single_parent,
    }
