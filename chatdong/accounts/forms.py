"""Forms for login, second factor, passwords, staff and zones. They only read and check input; the
writes are in accounts.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from chatdong.accounts import access, services
from chatdong.accounts.models import Agency, Ban, Dong, Role, Scope, User
from chatdong.accounts.selectors import login_failures_in_a_row


def krds_widgets(form: forms.BaseForm) -> None:
    """Give every widget its KRDS class (inputs, selects)."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = "krds-form-select" if isinstance(widget, forms.Select) else "krds-input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def lockout_message() -> str:
    return (
        f"로그인에 {settings.CHATDONG_LOCKOUT_FAILURES}번 잇달아 실패하여 계정이 잠겼습니다. "
        f"{settings.CHATDONG_LOCKOUT_WINDOW_MINUTES}분 뒤에 다시 시도하거나, "
        "급하면 동장 또는 시스템 관리자에게 잠금 해제를 요청하세요."
    )


class LoginForm(AuthenticationForm):
    """Django's login form with Korean messages; a locked account gets the lockout message whatever
    the password (the backend refuses it). The same messages are shown for unknown usernames, so the
    form never tells whether an account exists."""

    error_messages = {
        "invalid_login": "아이디 또는 비밀번호가 맞지 않습니다.",
        "inactive": "사용이 중지된 계정입니다.",
        "locked": "",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "아이디"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = "비밀번호"
        krds_widgets(self)

    def get_invalid_login_error(self) -> ValidationError:
        username = self.cleaned_data.get("username") or ""
        if services.login_is_locked(username):
            return ValidationError(lockout_message(), code="locked")
        failures = login_failures_in_a_row(username)
        left = settings.CHATDONG_LOCKOUT_FAILURES - failures
        return ValidationError(
            f"아이디 또는 비밀번호가 맞지 않습니다. ({failures}번 실패 · {left}번 더 틀리면 계정이 잠깁니다)",
            code="invalid_login",
        )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="인증번호 6자리",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        krds_widgets(self)

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise ValidationError("숫자만 입력해 주세요.")
        return token


class PasswordChangeForm(DjangoPasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "지금 비밀번호"
        self.fields["new_password1"].label = "새 비밀번호"
        self.fields[
            "new_password1"
        ].help_text = "10자 이상, 흔히 쓰는 비밀번호·숫자만으로 된 비밀번호·아이디나 이름과 비슷한 비밀번호는 쓸 수 없습니다."
        self.fields["new_password2"].label = "새 비밀번호 확인"
        krds_widgets(self)


# --- staff ------------------------------------------------------------------------------------------


def dongs_for_staff_forms(actor: User) -> QuerySet[Dong]:
    """The 동 an actor may put accounts in: the whole 구 for the administrator, the own 동 for a 동장."""
    if actor.role == Role.ADMIN:
        return access.dongs_visible_to(actor)
    if actor.dong_id is None:
        return Dong.objects.none()
    return Dong.objects.filter(pk=actor.dong_id)


class _GrantFields(forms.Form):
    """Role, scope and unit; choices limited to what the actor may grant."""

    role = forms.ChoiceField(label="역할")
    scope = forms.ChoiceField(label="범위", required=False)
    dong = forms.ModelChoiceField(label="소속 동", queryset=Dong.objects.none(), required=False)
    agency = forms.ModelChoiceField(label="소속 기관", queryset=Agency.objects.none(), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        assignable = access.roles_assignable_by(actor)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "역할을 고르세요")] + [
            (r.value, r.label) for r in Role if r.value in assignable
        ]
        role = self.data.get(self.add_prefix("role")) or self.initial.get("role") or ""
        allowed = access.ALLOWED_SCOPES.get(role, frozenset())
        scopes = [s for s in Scope if s.value in allowed] if allowed else list(Scope)
        cast(forms.ChoiceField, self.fields["scope"]).choices = [("", "역할의 기본 범위")] + [
            (s.value, s.label) for s in scopes
        ]
        dong_field = cast(forms.ModelChoiceField, self.fields["dong"])
        dong_field.queryset = dongs_for_staff_forms(actor)
        dong_field.empty_label = "동을 고르세요"
        if actor.role == Role.ADMIN:
            agency_field = cast(forms.ModelChoiceField, self.fields["agency"])
            agency_field.queryset = access.agencies_visible_to(actor)
            agency_field.empty_label = "기관을 고르세요"
        else:
            del self.fields["agency"]
        self.selected_role = role

    @property
    def needs_dong(self) -> bool:
        return not self.selected_role or self.selected_role in access.DONG_ROLES

    @property
    def needs_agency(self) -> bool:
        return self.selected_role == Role.AGENCY_WORKER

    def grant(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "scope": data.get("scope") or None,
            "dong": data.get("dong"),
            "agency": data.get("agency"),
        }


class StaffCreateForm(_GrantFields):
    username = forms.RegexField(
        label="아이디",
        max_length=150,
        regex=r"^[a-z0-9._-]+$",
        error_messages={"invalid": "아이디는 영문 소문자, 숫자, 점(.), 밑줄(_), 하이픈(-)만 쓸 수 있습니다."},
    )
    full_name = forms.CharField(label="이름", max_length=40)
    phone = forms.CharField(label="전화(업무용)", max_length=20, required=False)
    password1 = forms.CharField(
        label="처음 비밀번호",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="10자 이상, 흔히 쓰는 비밀번호·숫자만으로 된 비밀번호는 쓸 수 없습니다.",
    )
    password2 = forms.CharField(
        label="처음 비밀번호 확인",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "full_name",
        "phone",
        "role",
        "scope",
        "dong",
        "agency",
        "password1",
        "password2",
    ]

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        krds_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "두 비밀번호가 서로 다릅니다.")
        return data


class StaffRoleForm(_GrantFields):
    reason = forms.CharField(label="변경 사유", max_length=200)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        krds_widgets(self)


class StaffDeactivateForm(forms.Form):
    reason = forms.CharField(
        label="말소 사유",
        max_length=200,
        help_text="예: 전보(○○구청), 퇴직, 휴직 — 권한 변경 기록에 3년 동안 남습니다.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        krds_widgets(self)


# --- zones ------------------------------------------------------------------------------------------


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


class ZoneForm(forms.Form):
    name = forms.CharField(label="구역 이름", max_length=40)
    officer = OfficerChoiceField(
        label="우리동네주무관", queryset=User.objects.none(), required=False, empty_label="담당자 없음"
    )
    bans = forms.ModelMultipleChoiceField(label="반", queryset=Ban.objects.none(), required=False)

    def __init__(self, *args: Any, dong: Dong, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer = cast(forms.ModelChoiceField, self.fields["officer"])
        officer.queryset = User.objects.filter(
            dong=dong, is_active=True, role__in=access.ZONE_OFFICER_ROLES
        ).order_by("full_name", "username")
        cast(forms.ModelMultipleChoiceField, self.fields["bans"]).queryset = Ban.objects.filter(
            tong__dong=dong
        )
        krds_widgets(self)
