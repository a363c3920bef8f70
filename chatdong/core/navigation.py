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

# Order of the home cards per kind of role: what that role does first.
_FIELD_ORDER = ["search", "my_dong", "zones", "staff", "dong_list", "account"]
_HOME_ORDER: dict[str, list[str]] = {
    Role.DONG_HEAD: ["my_dong", "staff", "zones", "search", "account"],
    Role.TEAM_LEADER: ["my_dong", "zones", "search", "staff", "account"],
    Role.DISTRICT_STAFF: ["dong_list", "import", "audit", "search", "staff", "account"],
    Role.SUPPORT_TEAM: ["dong_list", "staff", "account"],
    Role.HEALTH_MEDICAL: ["dong_list", "staff", "account"],
    Role.AGENCY_WORKER: ["agency", "account"],
    Role.ADMIN: ["staff", "audit", "import", "dong_list", "account"],
}


def _own_dong(user: User) -> Dong | None:
    if user.scope in (Scope.DONG, Scope.ZONE) and user.dong_id:
        return accounts_access.dongs_in_scope(user).filter(pk=user.dong_id).first()
    return None


def menu_for(user: User, path: str) -> list[NavItem]:
    items: list[tuple[str, str]] = [("홈", reverse("core:home"))]
    if accounts_access.dongs_in_scope(user).exists():
        items.append(("동 현황", reverse("core:dong_list")))
    if accounts_access.can_view_personal_data(user):
        items.append(("주민 검색", reverse("registry:search")))
    if accounts_access.is_active_staff(user):
        label = "우리 기관" if user.scope == Scope.AGENCY else "직원·담당구역"
        items.append((label, reverse("accounts:staff_list")))
    if registry_access.can_import(user):
        items.append(("주민자료 등록", reverse("registry:import_list")))
    if can_review_audit(user):
        items.append(("접속기록 점검", reverse("audit:log_list")))
    return [NavItem(label, url, path == url or (url != "/" and path.startswith(url))) for label, url in items]


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
    cards["account"] = HomeCard(
        "account",
        "내 계정 보안",
        "비밀번호를 바꾸고, 사무실 밖 접속에 쓰는 OTP를 등록합니다.",
        reverse("accounts:account"),
    )
    order = _HOME_ORDER.get(user.role, _FIELD_ORDER)
    ordered = [cards[key] for key in order if key in cards]
    return ordered + [card for key, card in cards.items() if key not in order]
