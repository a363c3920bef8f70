"""API: tokens, the signed-in account, org units (동/통/반, zones) and staff. Handlers only translate;
scoping is in chatdong.accounts.access (via api_selectors)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from chatdong.accounts import api_selectors
from chatdong.accounts.api_auth import LoginRefused, api_token_obtain, api_token_revoke
from chatdong.accounts.models import Role, User, Zone
from chatdong.accounts.schemas import (
    DongDetailOut,
    DongOut,
    MeOut,
    RevokeOut,
    StaffDetailOut,
    StaffOut,
    TokenIn,
    TokenOut,
    TongOut,
    ZoneDetailOut,
    ZoneOut,
)
from chatdong.core.api import (
    ERRORS,
    ErrorOut,
    Page,
    PageIn,
    ValidationErrorOut,
    api_user,
    bearer_token,
    page_body,
    page_of,
)

router = Router()


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=["인증"],
    summary="토큰 발급",
)
def token_obtain(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """아이디·비밀번호(사무실 망 밖의 개인정보 취급자는 OTP도)로 Bearer 토큰을 받습니다.
    5번 잇달아 틀리면 15분 동안 잠깁니다(403)."""
    try:
        raw, token = api_token_obtain(
            request=request, username=payload.username, password=payload.password, otp=payload.otp
        )
    except LoginRefused as exc:
        return Status(401, {"detail": str(exc)})
    return Status(200, {"token": raw, "expires_at": token.expires_at})


@router.post("/auth/token/revoke", response={200: RevokeOut, **ERRORS}, tags=["인증"], summary="토큰 폐기")
def token_revoke(request: HttpRequest) -> dict[str, bool]:
    """요청에 쓴 토큰을 폐기합니다. 이후 그 토큰은 401을 받습니다."""
    return {"revoked": api_token_revoke(user=api_user(request), raw=bearer_token(request))}


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["인증"], summary="내 계정")
def me(request: HttpRequest) -> User:
    return api_user(request)


# --- org units --------------------------------------------------------------------------------------


@router.get("/dongs", response={200: list[DongOut], **ERRORS}, tags=["조직"], summary="동 목록")
def dong_list(request: HttpRequest) -> list[object]:
    """소속 구의 행정동(10자리 행정동코드 포함)."""
    return list(api_selectors.dong_list(user=api_user(request)))


@router.get("/dongs/{dong_id}", response={200: DongDetailOut, **ERRORS}, tags=["조직"], summary="동 상세")
def dong_detail(request: HttpRequest, dong_id: int) -> object:
    return api_selectors.dong_get(user=api_user(request), dong_id=dong_id)


@router.get(
    "/dongs/{dong_id}/tongs",
    response={200: list[TongOut], **ERRORS},
    tags=["조직"],
    summary="동의 통·반과 담당구역",
)
def dong_tongs(request: HttpRequest, dong_id: int) -> list[object]:
    """통마다 반, 반마다 담당구역과 우리동네주무관(구역 지도)."""
    return list(api_selectors.dong_tongs(user=api_user(request), dong_id=dong_id))


@router.get("/zones", response={200: Page[ZoneOut], **ERRORS}, tags=["조직"], summary="담당구역 목록")
def zone_list(request: HttpRequest, paging: Query[PageIn], dong_id: int | None = None) -> dict[str, object]:
    items, total = page_of(api_selectors.zone_list(user=api_user(request), dong_id=dong_id), paging)
    return page_body(items, total, paging)


@router.get(
    "/zones/{zone_id}", response={200: ZoneDetailOut, **ERRORS}, tags=["조직"], summary="담당구역 상세"
)
def zone_detail(request: HttpRequest, zone_id: int) -> Zone:
    return api_selectors.zone_get(user=api_user(request), zone_id=zone_id)


# --- staff ------------------------------------------------------------------------------------------


@router.get("/staff", response={200: Page[StaffOut], **ERRORS}, tags=["직원"], summary="직원 목록")
def staff_list(
    request: HttpRequest,
    paging: Query[PageIn],
    dong_id: int | None = None,
    role: Role | None = None,
    include_inactive: bool = False,
) -> dict[str, object]:
    """볼 수 있는 범위(구 전체·소속 동·소속 기관)의 직원."""
    staff = api_selectors.staff_list(
        user=api_user(request), dong_id=dong_id, role=role, include_inactive=include_inactive
    )
    items, total = page_of(staff, paging)
    return page_body(items, total, paging)


@router.get("/staff/{staff_id}", response={200: StaffDetailOut, **ERRORS}, tags=["직원"], summary="직원 상세")
def staff_detail(request: HttpRequest, staff_id: int) -> User:
    return api_selectors.staff_get(user=api_user(request), staff_id=staff_id)
