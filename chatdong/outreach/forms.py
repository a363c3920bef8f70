"""Forms of the outreach pages: they only parse input; rules are checked by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from chatdong.accounts.forms import krds_widgets
from chatdong.accounts.models import Role
from chatdong.outreach import access, rules
from chatdong.outreach.models import Program, Target, TargetConsent


class KrdsForm(forms.Form):
    """A form whose widgets carry the KRDS classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        krds_widgets(self)


VISIT_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in access.VISIT_ROLES]


class ProgramForm(KrdsForm):
    """The editable parts of a program; which rule fields show depends on the rule type."""

    name = forms.CharField(label="사업명", max_length=60)
    active = forms.BooleanField(label="운영", required=False)
    period = forms.ChoiceField(label="추출 주기", choices=Program.Period.choices)
    visit_roles = forms.MultipleChoiceField(
        label="방문 역할", choices=VISIT_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    ages = forms.CharField(label="대상 나이(만)", required=False, help_text="쉼표로 구분, 예: 65, 70")
    age_labels = forms.CharField(label="나이별 구분", required=False, help_text="예: 65=필수, 70=연장")
    months_from = forms.IntegerField(label="생후 개월(부터)", required=False, min_value=0, max_value=72)
    months_to = forms.IntegerField(label="생후 개월(까지)", required=False, min_value=0, max_value=72)
    from_week = forms.IntegerField(label="임신 주수(부터)", required=False, min_value=1, max_value=42)
    weeks_after_birth = forms.IntegerField(
        label="출산 후 주수(까지)", required=False, min_value=0, max_value=104
    )
    flags = forms.MultipleChoiceField(
        label="복지 자격",
        required=False,
        choices=list(rules.WELFARE_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    due_type = forms.ChoiceField(label="방문 기한", choices=list(rules.DUE_TYPES.items()))
    due_days = forms.IntegerField(label="기한 일수", required=False, min_value=0, max_value=730)
    visits_per_year = forms.IntegerField(label="연간 방문 계획(회)", min_value=1, max_value=52)

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        rule = program.rule
        due = rule.get("due", {"type": "period_end"})
        months = rule.get("months", [None, None])
        return {
            "name": program.name,
            "active": program.active,
            "period": program.period,
            "visit_roles": program.visit_roles,
            "ages": ", ".join(str(a) for a in rule.get("ages", [])),
            "age_labels": ", ".join(f"{k}={v}" for k, v in rule.get("labels", {}).items()),
            "months_from": months[0],
            "months_to": months[1],
            "from_week": rule.get("from_week"),
            "weeks_after_birth": rule.get("weeks_after_birth"),
            "flags": rule.get("flags", []),
            "due_type": due["type"],
            "due_days": due.get("days"),
            "visits_per_year": rule.get("visits_per_year", 1),
        }

    def rule_for(self, kind: str) -> dict[str, Any]:
        """The rule as the service expects it (the service validates it)."""
        data = self.cleaned_data
        rule: dict[str, Any] = {"type": kind, "visits_per_year": data["visits_per_year"]}
        due: dict[str, Any] = {"type": data["due_type"]}
        if data["due_type"] != "period_end":
            due["days"] = data.get("due_days") if data.get("due_days") is not None else 28
        rule["due"] = due
        if kind == "turning_age":
            ages: list[Any] = []
            for part in (data.get("ages") or "").replace("，", ",").split(","):
                part = part.strip()
                if part:
                    ages.append(int(part) if part.isdigit() else part)
            rule["ages"] = ages
            labels = {}
            for part in (data.get("age_labels") or "").split(","):
                key, _, value = part.partition("=")
                if key.strip() and value.strip():
                    labels[key.strip()] = value.strip()
            rule["labels"] = labels
        elif kind == "birth_window":
            rule["months"] = [data.get("months_from") or 0, data.get("months_to") or 0]
        elif kind == "pregnancy":
            rule["from_week"] = data.get("from_week") or 20
            rule["weeks_after_birth"] = data.get("weeks_after_birth") or 0
        elif kind == "welfare_flag":
            rule["flags"] = data.get("flags") or []
        return rule


class ExtractForm(KrdsForm):
    period_start = forms.DateField(label="기간 시작일", widget=forms.DateInput(attrs={"type": "date"}))


class ConsentForm(KrdsForm):
    state = forms.ChoiceField(
        label="동의 상태", choices=[(c.value, c.label) for c in Target.Consent if c != Target.Consent.UNKNOWN]
    )
    on = forms.DateField(label="일자", widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label="경로", choices=TargetConsent.Channel.choices)
    note = forms.CharField(label="메모", required=False, max_length=200)


class AssignForm(KrdsForm):
    assignee = forms.IntegerField(label="담당자", required=False)
    co_assignee = forms.IntegerField(label="동행 담당자", required=False)


class NoticeForm(KrdsForm):
    template = forms.IntegerField(label="안내 서식")
    visit_on = forms.DateField(label="방문 예정일", widget=forms.DateInput(attrs={"type": "date"}))


class ListUploadForm(KrdsForm):
    file = forms.FileField(label="명단 파일(CSV: 주민등록번호, 사유)")


class TargetAddForm(KrdsForm):
    """One person (her household, for a household program) added by staff."""

    resident_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="등록 사유",
        max_length=200,
        help_text="예: 이웃 제보, 단전·단수 위기 가구, 학교 밖 청소년",
        widget=forms.TextInput(),
    )


def parse_date(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


class PregnancyForm(KrdsForm):
    rrn = forms.CharField(label="주민등록번호", max_length=14, help_text="예: 940101-2345678")
    expected_delivery_on = forms.DateField(
        label="출산 예정일", widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_on = forms.DateField(label="등록일", widget=forms.DateInput(attrs={"type": "date"}))
    delivered_on = forms.DateField(
        label="출산일",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="출산 후 적습니다.",
    )


class TemplateForm(KrdsForm):
    code = forms.SlugField(label="코드", max_length=40)
    name = forms.CharField(label="이름", max_length=60)
    body = forms.CharField(
        label="문안",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="쓸 수 있는 자리표시: {이름} {방문예정일} {담당자} {연락처} {사업명} {동}",
    )
    active = forms.BooleanField(label="사용", required=False, initial=True)
