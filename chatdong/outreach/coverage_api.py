"""API under /api/v1/ for 방문 현황 (outreach coverage): the figures and the list behind a figure.
Handlers only translate; scope and the access log are in chatdong.outreach.coverage."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from chatdong.core.api import ERRORS, Page, PageIn, api_user, page_body
from chatdong.outreach import coverage
from chatdong.outreach.coverage_schemas import (
    CoverageIn,
    CoverageListIn,
    CoverageOut,
    CoverageQueryIn,
    CoverageTargetOut,
)

router = Router()


def _filters(request: HttpRequest, params: CoverageIn) -> coverage.Filters:
    return coverage.coverage_filters(
        user=api_user(request),
        year=params.year,
        month=params.month,
        program_id=params.program,
        dong_id=params.dong,
        staff_id=params.staff,
    )


@router.get(
    "/outreach/coverage", response={200: CoverageOut, **ERRORS}, tags=["방문 현황"], summary="방문 현황"
)
def coverage_figures(request: HttpRequest, params: Query[CoverageQueryIn]) -> dict[str, object]:
    """동·사업·담당자별 대상, 동의, 방문 완료, 거부, 미방문, 기한 경과, 의뢰 진행(집계; 개인정보 아님).
    구 역할은 구 전체, 동 역할은 자기 동만 봅니다. 범위 밖 동·사업은 404."""
    user = api_user(request)
    result = coverage.coverage_figures(user=user, filters=_filters(request, params), by=params.by)
    period = result.filters.period
    return {
        "year": period.year,
        "month": period.month,
        "period_start": period.start,
        "period_end": period.end,
        "on": result.on,
        "by": result.by,
        "rows": [
            {
                "dong": row.dong,
                "program": row.program,
                "staff": row.staff,
                "unassigned": row.unassigned,
                **row.figures.as_dict(),
            }
            for row in result.rows
        ],
        "totals": result.totals.as_dict(),
    }


@router.get(
    "/outreach/coverage/targets",
    response={200: Page[CoverageTargetOut], **ERRORS},
    tags=["방문 현황"],
    summary="방문 현황 명단",
)
def coverage_targets(
    request: HttpRequest, params: Query[CoverageListIn], paging: Query[PageIn]
) -> dict[str, object]:
    """한 집계 항목(figure)에 들어간 대상자 명단. 개인정보 조회 역할만, 볼 수 있는 범위의 대상만
    나오며 접속기록에 남습니다."""
    listing = coverage.coverage_target_list(
        user=api_user(request),
        request=request,
        filters=_filters(request, params),
        figure=params.figure,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return page_body(listing.targets, listing.total, paging)
