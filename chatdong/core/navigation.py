"""The main menu and the home-page tasks, per role: only what the user may use is shown. Every link is
decided by the access functions of the app it points into."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from chatdong.accounts import access as accounts_access
from chatdong.accounts.models import Dong, Role, Scope, User
from chatdong.audit.access import can_review_audit
from chatdong.registry import access as registry_access


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class HomeCard:
    key: str
    title: str
    text: str
    url: str


# What each role is for, in the program's words (seed: 2016 성북구 운영계획).
ROLE_INTRO: dict[str, str] = {
    Role.DONG_HEAD: "동마을복지사업의 총괄 관리자입니다. 동 현황과 담당구역 배치를 살피고 직원 계정을 관리합니다.",
    Role.TEAM_LEADER: "팀 업무를 조정하고 우리동네주무관 담당구역을 배치합니다.",
    Role.PLANNER_ELDER: "만 65세·70세가 되는 어르신을 찾아가 보건·복지 정보를 안내합니다.",
    Role.PLANNER_CHILD: "출산 전후·영유아 가정을 찾아가 보육·복지 정보를 안내합니다.",
    Role.PLANNER_POVERTY: "기초생활수급·차상위 가구와 새로 발굴한 위기가구를 방문해 관리합니다.",
    Role.PLANNER_YOUTH: "취약계층 아동과 학교 밖 청소년을 찾아가 필요한 서비스와 자원을 연결합니다.",
    Role.VISITING_NURSE: "만 65세·70세 어르신을 방문해 건강 상태를 살피고 지속적으로 관리합니다.",
    Role.INFANT_NURSE: "임신 20주부터 출산 후 6주까지의 가정을 방문해 산모와 아기의 건강을 살핍니다.",
    Role.COUNSELOR: "찾아온 주민의 복지 상담을 한자리에서 해결하고, 필요한 곳에 의뢰합니다.",
    Role.SUPERVISOR: "사례관리의 교육적·행정적·지지적 수퍼비전을 맡습니다.",
    Role.OFFICER: "우리동네주무관으로서 담당구역 주민과 통·반장의 소통창구가 됩니다.",
    Role.FRONT_DESK: "민원창구에서 주민을 맞이합니다.",
    Role.DISTRICT_STAFF: "구 전체 동의 현황을 살피고, 주민자료를 등록하고, 접속기록을 점검합니다.",
    Role.SUPPORT_TEAM: "동 현장을 자문·모니터링하고 민간 관계망을 만듭니다.",
    Role.HEALTH_MEDICAL: "동에서 보낸 마음건강 평가 결과를 받아 관리합니다.",
    Role.AGENCY_WORKER: "민간기관의 사례관리자로서 동과 함께 일합니다.",
    Role.ADMIN: "직원 계정과 권한을 관리하고 접속기록을 점검합니다.",
}

# Order of the home cards per kind of role: what that role does first. Cards a role may use but that
# are not listed come after, in the order home_cards adds them.
_FIELD_ORDER = [
    "today",
    "infant",
    "search",
    "referrals_inbox",
    "cases",
    "programs",
    "my_dong",
    "zones",
    "staff",
]
_HOME_ORDER: dict[str, list[str]] = {
    Role.DONG_HEAD: [
        "my_dong",
        "coverage",
        "case_meetings",
        "referrals_queue",
        "load",
        "staff",
        "zones",
        "search",
    ],
    Role.TEAM_LEADER: [
        "my_dong",
        "load",
        "supervision",
        "referrals_queue",
        "case_meetings",
        "zones",
        "search",
    ],
    Role.COUNSELOR: ["desk", "referrals_inbox", "search", "cases", "my_dong"],
    Role.SUPERVISOR: [
        "supervision",
        "referrals_queue",
        "cases",
        "case_meetings",
        "load",
        "coverage",
        "search",
    ],
    Role.PLANNER_POVERTY: ["today", "cases", "case_meetings", "referrals_inbox", "search", "programs"],
    Role.DISTRICT_STAFF: ["dong_list", "coverage", "programs", "import", "audit", "search", "staff"],
    Role.SUPPORT_TEAM: ["dong_list", "coverage", "staff"],
    Role.HEALTH_MEDICAL: ["referrals_inbox", "dong_list", "coverage", "staff"],
    Role.AGENCY_WORKER: ["referrals_inbox", "agency_finding", "cases", "linkage", "agency"],
    Role.ADMIN: ["staff", "audit", "import", "dong_list"],
}


def _own_dong(user: User) -> Dong | None:
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id:
        return accounts_access.dongs_in_scope(user).filter(pk=user.dong_id).first()
    return None


@dataclass(frozen=True)
class Section:
    """A part of the program with several pages: one entry in the main menu, and a second row of
    links (the section's pages the user may use) on every page under its URL prefixes."""

    label: str
    prefixes: tuple[str, ...]
    items: list[tuple[str, str]]


def _sections(user: User) -> list[Section]:
    from chatdong.casemeeting import access as meeting_access
    from chatdong.cases import access as cases_access
    from chatdong.linkage import access as linkage_access
    from chatdong.outreach import access as outreach_access
    from chatdong.outreach import coverage
    from chatdong.referrals import access as referrals_access
    from chatdong.visits import access as visits_access

    personal = accounts_access.can_view_personal_data(user)
    outreach: list[tuple[str, str]] = []
    if visits_access.is_visitor(user):
        outreach.append(("오늘의 방문", reverse("visits:today")))
    if user.role in accounts_access.OVERVIEW_ROLES:
        outreach.append(("방문 사업·대상", reverse("outreach:program_list")))
    if visits_access.can_list_visits(user):
        outreach.append(("방문 기록", reverse("visits:list")))
    if visits_access.can_view_infant_list(user):
        outreach.append(("영유아 방문", reverse("visits:infant")))
    if coverage.can_view_coverage(user):
        outreach.append(("방문 현황", reverse("coverage:dashboard")))
    if outreach_access.can_view_load(user):
        outreach.append(("업무량", reverse("outreach:staff_load")))
    if personal and user.role in outreach_access.PREGNANCY_ROLES:
        outreach.append(("임산부 등록", reverse("outreach:pregnancy_list")))
    if outreach_access.can_work(user):
        outreach.append(("발송함", reverse("outreach:outbox")))
    if user.role in (Role.DISTRICT_STAFF, Role.HEALTH_MEDICAL, Role.INFANT_NURSE):
        outreach.append(("서울아기 일정", reverse("visits:schedule")))

    referrals: list[tuple[str, str]] = []
    if referrals_access.can_use_desk(user):
        referrals.append(("복지상담", reverse("referrals:desk")))
    referrals.append(("받은 의뢰", reverse("referrals:inbox")))
    if referrals_access.can_send_agency_finding(user):
        referrals.append(("발굴 의뢰", reverse("referrals:agency_finding")))
    if referrals_access.can_send_agency_finding(user) or (
        user.scope != Scope.AGENCY and user.role != Role.HEALTH_MEDICAL
    ):
        referrals.append(("보낸 의뢰", reverse("referrals:sent")))
    if referrals_access.can_view_supervisor_queue(user):
        referrals.append(("의뢰 점검", reverse("referrals:queue")))
    referrals.append(("기관 안내", reverse("referrals:agency_list")))

    cases: list[tuple[str, str]] = []
    if cases_access.can_use_cases(user):
        cases.append(("사례 대장", reverse("cases:list")))
    if cases_access.can_view_supervisor_queue(user):
        cases.append(("수퍼비전 대기", reverse("cases:supervisor_queue")))
    if meeting_access.can_view_meetings(user):
        cases.append(("사례회의", reverse("casemeeting:list")))
    if linkage_access.can_upload(user):
        cases.append(("명단 대조", reverse("linkage:client_list_index")))
    if cases_access.export_dongs(user).exists():
        cases.append(("행복e음 입력자료", reverse("cases:export")))

    return [
        Section("찾아가는 방문", ("/outreach/", "/visits/"), outreach),
        Section("상담·의뢰", ("/referrals/",), referrals),
        Section("사례관리", ("/cases/", "/case-meetings/", "/linkage/"), cases),
    ]


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


def menu_for(user: User, path: str) -> list[NavItem]:
    if not accounts_access.is_active_staff(user):
        return []
    items: list[tuple[str, str, bool]] = [("홈", reverse("core:home"), path == reverse("core:home"))]
    if accounts_access.dongs_in_scope(user).exists():
        url = reverse("core:dong_list")
        items.append(("동 현황", url, _is_active(path, url)))
    if accounts_access.can_view_personal_data(user):
        url = reverse("registry:search")
        items.append(("주민 검색", url, _is_active(path, url)))
    for section in _sections(user):
        if section.items:
            active = path.startswith(section.prefixes)
            items.append((section.label, section.items[0][1], active))
    label = "우리 기관" if user.scope == Scope.AGENCY else "직원·담당구역"
    url = reverse("accounts:staff_list")
    items.append((label, url, _is_active(path, url)))
    if registry_access.can_import(user):
        url = reverse("registry:import_list")
        items.append(("주민자료 등록", url, _is_active(path, url)))
    if can_review_audit(user):
        url = reverse("audit:log_list")
        items.append(("접속기록 점검", url, _is_active(path, url)))
    return [NavItem(label, url, active) for label, url, active in items]


def section_menu_for(user: User, path: str) -> list[NavItem]:
    """The second row of links: the pages of the section the current page belongs to."""
    if not accounts_access.is_active_staff(user):
        return []
    for section in _sections(user):
        if path.startswith(section.prefixes) and len(section.items) > 1:
            best = max((url for _, url in section.items if path.startswith(url)), key=len, default="")
            return [NavItem(label, url, url == best) for label, url in section.items]
    return []


def home_cards(user: User) -> list[HomeCard]:
    """The tasks on the home page, in the order the role needs them, each only if allowed."""
    if not accounts_access.is_active_staff(user):
        return []
    cards: dict[str, HomeCard] = {}
    own = _own_dong(user)
    if accounts_access.can_view_personal_data(user):
        scope_texts: dict[str, str] = {
            Scope.DISTRICT: "구 전체",
            Scope.DONG: f"{user.dong.name if user.dong else ''} 전체",
            Scope.ZONE: "내 담당구역",
        }
        scope_text = scope_texts.get(user.scope, "")
        cards["search"] = HomeCard(
            "search",
            "주민 검색",
            f"{scope_text} 주민을 이름·전화번호·도로명주소·주민등록번호로 찾습니다. 모든 조회는 기록됩니다.",
            reverse("registry:search"),
        )
    if own is not None:
        cards["my_dong"] = HomeCard(
            "my_dong",
            f"{own.name} 현황",
            "연령대별 인구, 세대, 복지대상 현황과 통·반 담당구역 지도를 봅니다.",
            reverse("core:dong_detail", args=[own.pk]),
        )
        if accounts_access.can_manage_zones_in(user, own):
            cards["zones"] = HomeCard(
                "zones",
                "담당구역 배치",
                "통·반을 구역으로 나누고 우리동네주무관을 정합니다. 빈 통·반과 구역 없는 직원을 확인합니다.",
                reverse("core:dong_detail", args=[own.pk]) + "#zone-map",
            )
    elif accounts_access.dongs_in_scope(user).exists():
        cards["dong_list"] = HomeCard(
            "dong_list",
            "동별 현황",
            "관내 모든 동의 인구·세대·65세 이상 비율과 담당구역 배치 상태를 한눈에 봅니다.",
            reverse("core:dong_list"),
        )
    if accounts_access.can_create_staff(user):
        cards["staff"] = HomeCard(
            "staff",
            "직원·권한 관리",
            "직원 계정을 만들고, 역할·범위를 바꾸고, 말소하고, 로그인 잠금을 풉니다. 모든 변경은 3년 동안 기록됩니다.",
            reverse("accounts:staff_list"),
        )
    elif user.scope != Scope.AGENCY:
        cards["staff"] = HomeCard(
            "staff", "직원 목록", "함께 일하는 직원과 담당구역을 봅니다.", reverse("accounts:staff_list")
        )
    if user.scope == Scope.AGENCY:
        cards["agency"] = HomeCard(
            "agency",
            user.agency.name if user.agency else "우리 기관",
            "기관 정보와 함께 일하는 사례관리자를 봅니다.",
            reverse("accounts:staff_list"),
        )
    if registry_access.can_import(user):
        cards["import"] = HomeCard(
            "import",
            "주민자료 등록",
            "주민등록 자료(CSV·XLSX)를 올려 주민·세대 정보를 새로 고칩니다.",
            reverse("registry:import_list"),
        )
    if can_review_audit(user):
        cards["audit"] = HomeCard(
            "audit",
            "접속기록 점검",
            "개인정보 조회·변경·출력·내려받기 기록을 살피고 정기 점검을 기록합니다.",
            reverse("audit:log_list"),
        )
    _program_cards(user, cards)
    cards["account"] = HomeCard(
        "account",
        "내 계정 보안",
        "비밀번호를 바꾸고, 사무실 밖 접속에 쓰는 OTP를 등록합니다.",
        reverse("accounts:account"),
    )
    order = [*_HOME_ORDER.get(user.role, _FIELD_ORDER)]
    ordered = [cards[key] for key in order if key in cards]
    rest = [card for key, card in cards.items() if key not in order and key != "account"]
    return [*ordered, *rest, cards["account"]]


def _program_cards(user: User, cards: dict[str, HomeCard]) -> None:
    """Cards of the program's work (outreach, referrals, cases), each only where its access allows."""
    from chatdong.casemeeting import access as meeting_access
    from chatdong.cases import access as cases_access
    from chatdong.linkage import access as linkage_access
    from chatdong.linkage.selectors import pending_pair_count
    from chatdong.outreach import access as outreach_access
    from chatdong.outreach import coverage
    from chatdong.referrals import access as referrals_access
    from chatdong.visits import access as visits_access

    if visits_access.is_visitor(user):
        cards["today"] = HomeCard(
            "today",
            "오늘의 방문",
            "오늘 갈 곳을 통·반 순서로 보고, 챙길 것을 확인하고, 결과를 바로 기록합니다.",
            reverse("visits:today"),
        )
    if user.role == Role.INFANT_NURSE and visits_access.can_view_infant_list(user):
        cards["infant"] = HomeCard(
            "infant",
            "영유아 방문 기한",
            "기한이 된·지난 서울아기 건강첫걸음 방문을 봅니다.",
            reverse("visits:infant"),
        )
    if user.role in accounts_access.OVERVIEW_ROLES:
        cards["programs"] = HomeCard(
            "programs",
            "방문 사업·대상",
            "사업별 대상 명단과 사유, 동의, 담당자를 봅니다.",
            reverse("outreach:program_list"),
        )
    if coverage.can_view_coverage(user):
        cards["coverage"] = HomeCard(
            "coverage",
            "방문 현황",
            "동·사업·담당자별 대상, 동의, 방문 완료, 거부, 미방문, 기한 경과, 의뢰 진행을 봅니다.",
            reverse("coverage:dashboard"),
        )
    if outreach_access.can_view_load(user):
        cards["load"] = HomeCard(
            "load",
            "담당자별 업무량",
            "직원마다 맡은 대상, 이번 달 기한, 기한 경과를 봅니다.",
            reverse("outreach:staff_load"),
        )
    if user.role == Role.COUNSELOR and referrals_access.can_use_desk(user):
        cards["desk"] = HomeCard(
            "desk",
            "복지상담 접수",
            "찾아온 주민의 욕구를 받아 담당자·빈곤위기가정 플래너·외부 기관에 의뢰합니다.",
            reverse("referrals:desk"),
        )
    if user.role not in (Role.ADMIN, Role.SUPPORT_TEAM):
        cards["referrals_inbox"] = HomeCard(
            "referrals_inbox",
            "받은 의뢰",
            "받은 의뢰를 접수하고 처리 결과를 회신합니다. 긴급 의뢰가 맨 위에 있습니다.",
            reverse("referrals:inbox"),
        )
    if referrals_access.can_send_agency_finding(user):
        cards["agency_finding"] = HomeCard(
            "agency_finding",
            "발굴 의뢰",
            "도움이 필요한 주민을 찾으면 그 동 주민센터에 알립니다. 결과는 보낸 의뢰로 돌아옵니다.",
            reverse("referrals:agency_finding"),
        )
    if referrals_access.can_view_supervisor_queue(user):
        cards["referrals_queue"] = HomeCard(
            "referrals_queue",
            "의뢰 점검",
            "회신 기한이 지났거나 여러 번 오간 의뢰를 살핍니다.",
            reverse("referrals:queue"),
        )
    if cases_access.can_use_cases(user):
        cards["cases"] = HomeCard(
            "cases",
            "사례관리 대장",
            "사례의 단계, 처리기한, 위기도를 보고 다음 단계를 기록합니다.",
            reverse("cases:list"),
        )
    if cases_access.can_view_supervisor_queue(user):
        cards["supervision"] = HomeCard(
            "supervision",
            "수퍼비전 대기",
            "기한 경과, 위기도 상, 계획 승인 대기 사례를 봅니다.",
            reverse("cases:supervisor_queue"),
        )
    if user.role in _MEETING_CARD_ROLES and meeting_access.can_view_meetings(user):
        cards["case_meetings"] = HomeCard(
            "case_meetings",
            "통합사례회의",
            "이번 달 회의 안건(결정이 필요한 사례)과 회의록을 봅니다.",
            reverse("casemeeting:list"),
        )
    if linkage_access.can_upload(user) and user.role in _LINKAGE_CARD_ROLES:
        pending = pending_pair_count(user=user)
        cards["linkage"] = HomeCard(
            "linkage",
            f"명단 대조 (검토할 후보 {pending}쌍)",
            "기관 대상자 명단을 주민·사례와 대조해 같은 사람인지 확인합니다.",
            reverse("linkage:client_list_index"),
        )


_MEETING_CARD_ROLES = frozenset({Role.DONG_HEAD, Role.TEAM_LEADER, Role.SUPERVISOR, Role.PLANNER_POVERTY})
_LINKAGE_CARD_ROLES = frozenset(
    {Role.AGENCY_WORKER, Role.SUPERVISOR, Role.PLANNER_POVERTY, Role.DISTRICT_STAFF}
)
