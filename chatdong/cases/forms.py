"""Forms of the case pages: they only parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from chatdong.accounts.models import Agency, Dong, User
from chatdong.cases.models import (
    Case,
    CaseCheck,
    CaseType,
    ClosureReason,
    RiskLevel,
    ServiceLinkage,
    ShareScope,
    Supervision,
)
from chatdong.cases.services import DomainIn, PlanItemIn
from chatdong.core.needs import NeedCategory

PLAN_ROWS = 3
BLANK = [("", "선택")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class KrdsForm(forms.Form):
    """Puts KRDS classes on the widgets and prefixes ids with the form's name, so that several forms on
    one page do not share ids."""

    name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "krds-form-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "krds-input cd-textarea")
                widget.attrs.setdefault("rows", 3)
            else:
                widget.attrs.setdefault("class", "krds-input")


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


class AdvanceForm(KrdsForm):
    name = "advance"
    to_step = forms.ChoiceField(label="다음 단계", choices=Case.Step.choices)
    note = forms.CharField(label="메모", max_length=500, required=False)
    follow_up_on = _date("사후관리 날짜(사후관리로 갈 때)", required=False)

    def __init__(self, *args: Any, next_steps: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if next_steps is not None:
            self.fields["to_step"].choices = next_steps  # type: ignore[attr-defined]


def _agency_fields(form: forms.Form, agencies: QuerySet[Agency]) -> None:
    for name in ("lead_agency", "co_agencies", "provider", "agencies"):
        if name in form.fields:
            form.fields[name].queryset = agencies  # type: ignore[attr-defined]


class ClassifyForm(KrdsForm):
    name = "classify"
    case_type = forms.ChoiceField(label="사례 유형", choices=BLANK + CaseType.choices)
    lead_agency = forms.ModelChoiceField(
        label="주사례관리 기관",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="동 주민센터(공공)",
    )
    co_agencies = forms.ModelMultipleChoiceField(
        label="협력 기관", queryset=Agency.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    meeting_on = _date("사례회의일", required=False)
    note = forms.CharField(label="결정 내용", max_length=500, required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agency_fields(self, agencies)


class AgenciesForm(KrdsForm):
    name = "agencies"
    lead_agency = forms.ModelChoiceField(
        label="주사례관리 기관",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="동 주민센터(공공)",
    )
    co_agencies = forms.ModelMultipleChoiceField(
        label="협력 기관", queryset=Agency.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agency_fields(self, agencies)


class AssignForm(KrdsForm):
    name = "assign"
    worker = forms.ModelChoiceField(
        label="담당 사례관리자", queryset=User.objects.none(), required=False, empty_label="없음"
    )

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]


class MeetingForm(KrdsForm):
    name = "meeting"
    held_on = _date("사례회의일")


class AssessmentForm(KrdsForm):
    """One risk select and one need line per domain (NeedCategory); leave a domain blank to skip it."""

    name = "assessment"
    assessed_on = _date("조사일", required=False)
    overall_risk = forms.ChoiceField(label="종합 위기도", choices=BLANK + RiskLevel.choices)
    summary = forms.CharField(label="종합 의견", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in NeedCategory.choices:
            self.fields[f"risk_{value}"] = forms.ChoiceField(
                label=f"{label} 위기도", choices=[("", "조사 안 함"), *RiskLevel.choices], required=False
            )
            self.fields[f"risk_{value}"].widget.attrs["class"] = "krds-form-select"
            self.fields[f"need_{value}"] = forms.CharField(
                label=f"{label} 욕구·문제", max_length=300, required=False
            )
            self.fields[f"need_{value}"].widget.attrs["class"] = "krds-input"

    def domain_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[f"risk_{value}"], self[f"need_{value}"]) for value, label in NeedCategory.choices
        ]

    def domains(self) -> list[DomainIn]:
        data = self.cleaned_data
        return [
            DomainIn(value, data[f"risk_{value}"], data.get(f"need_{value}", ""))
            for value in NeedCategory.values
            if data.get(f"risk_{value}")
        ]


class PlanForm(KrdsForm):
    name = "plan"
    goals = forms.CharField(label="목표", widget=forms.Textarea)
    start_on = _date("시작일")
    end_on = _date("종료 예정일")

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, PLAN_ROWS + 1):
            self.fields[f"item{n}_category"] = forms.ChoiceField(
                label=f"서비스 {n} 영역", choices=BLANK + NeedCategory.choices, required=False
            )
            self.fields[f"item{n}_service"] = forms.CharField(
                label=f"서비스 {n}", max_length=200, required=False
            )
            self.fields[f"item{n}_agency"] = forms.ModelChoiceField(
                label=f"서비스 {n} 담당 기관",
                queryset=agencies,
                required=False,
                empty_label="직접 입력 / 동 주민센터",
            )
            self.fields[f"item{n}_agency_name"] = forms.CharField(
                label=f"서비스 {n} 기관(직접 입력)", max_length=80, required=False
            )
            self.fields[f"item{n}_person"] = forms.CharField(
                label=f"서비스 {n} 담당자", max_length=40, required=False
            )
            self.fields[f"item{n}_start"] = _date(f"서비스 {n} 시작일", required=False)
            self.fields[f"item{n}_end"] = _date(f"서비스 {n} 종료일", required=False)
            for key in ("category", "service", "agency", "agency_name", "person", "start", "end"):
                widget = self.fields[f"item{n}_{key}"].widget
                widget.attrs["class"] = (
                    "krds-form-select" if isinstance(widget, forms.Select) else "krds-input"
                )

    def item_rows(self) -> list[list[forms.BoundField]]:
        keys = ("category", "service", "agency", "agency_name", "person", "start", "end")
        return [[self[f"item{n}_{k}"] for k in keys] for n in range(1, PLAN_ROWS + 1)]

    def items(self) -> list[PlanItemIn]:
        data = self.cleaned_data
        items = []
        for n in range(1, PLAN_ROWS + 1):
            if not (data.get(f"item{n}_service") or "").strip():
                continue
            items.append(
                PlanItemIn(
                    category=data.get(f"item{n}_category") or "",
                    service=data[f"item{n}_service"],
                    start_on=data.get(f"item{n}_start") or data["start_on"],
                    end_on=data.get(f"item{n}_end") or data["end_on"],
                    agency=data.get(f"item{n}_agency"),
                    agency_name=data.get(f"item{n}_agency_name") or "",
                    person=data.get(f"item{n}_person") or "",
                )
            )
        return items


class ApproveForm(KrdsForm):
    name = "approve"
    plan_id = forms.IntegerField(widget=forms.HiddenInput)


class LinkageForm(KrdsForm):
    name = "linkage"
    kind = forms.ChoiceField(label="서비스 구분", choices=ServiceLinkage.Kind.choices)
    category = forms.ChoiceField(label="영역", choices=BLANK + NeedCategory.choices)
    service = forms.CharField(label="서비스명", max_length=100, help_text="예: 서울형 긴급복지 생계지원")
    provider = forms.ModelChoiceField(
        label="제공기관", queryset=Agency.objects.none(), required=False, empty_label="직접 입력"
    )
    provider_name = forms.CharField(label="제공기관(직접 입력)", max_length=80, required=False)
    amount = forms.IntegerField(label="금액(원)", required=False, min_value=0)
    provided_on = _date("제공일")
    note = forms.CharField(label="메모", max_length=300, required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agency_fields(self, agencies)


class CheckForm(KrdsForm):
    name = "check"
    kind = forms.ChoiceField(label="구분", choices=CaseCheck.Kind.choices)
    on = _date("날짜", required=False)
    text = forms.CharField(label="내용", widget=forms.Textarea)


class CloseForm(KrdsForm):
    name = "close"
    reason = forms.ChoiceField(label="종결 사유", choices=BLANK + ClosureReason.choices)
    note = forms.CharField(label="종결 의견", required=False, widget=forms.Textarea)
    follow_up_on = _date("사후관리 날짜", required=False)


class ProposeClosureForm(KrdsForm):
    name = "propose_closure"
    reason = forms.CharField(label="종결 제안 사유", max_length=300)


class SupervisionForm(KrdsForm):
    name = "supervision"
    kind = forms.ChoiceField(label="수퍼비전 유형", choices=BLANK + Supervision.Kind.choices)
    on = _date("날짜", required=False)
    notes = forms.CharField(label="내용", widget=forms.Textarea)


class ConsentForm(KrdsForm):
    name = "consent"
    given_on = _date("동의일")
    agencies = forms.ModelMultipleChoiceField(
        label="정보를 제공받는 기관", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    scope = forms.MultipleChoiceField(
        label="제공 범위",
        choices=ShareScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ShareScope.BASIC],
    )
    note = forms.CharField(label="메모", max_length=300, required=False)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _agency_fields(self, agencies)


class WithdrawForm(KrdsForm):
    name = "withdraw"
    consent_id = forms.IntegerField(widget=forms.HiddenInput)


class IntakeForm(KrdsForm):
    """Manual intake: a resident of the 동 (picked by search), what was found, where from."""

    name = "intake"
    resident_id = forms.IntegerField(label="대상 주민", widget=forms.HiddenInput)
    summary = forms.CharField(label="발굴 내용", widget=forms.Textarea)
    source = forms.ChoiceField(label="발굴 경로", choices=Case.Source.choices, initial=Case.Source.STAFF)


class ExportForm(KrdsForm):
    name = "export"
    dong: forms.ModelChoiceField[Dong] = forms.ModelChoiceField(
        label="동", queryset=Dong.objects.none(), empty_label=None
    )
    month = forms.CharField(
        label="제공 월",
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text="예: 2026-11",
    )
    format = forms.ChoiceField(label="파일 형식", choices=[("xlsx", "엑셀(.xlsx)"), ("csv", "CSV(.csv)")])
    reason = forms.CharField(
        label="내려받는 사유", max_length=300, help_text="예: 11월 서비스 연계 실적 행복e음 입력"
    )

    def __init__(self, *args: Any, dongs: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"].queryset = dongs  # type: ignore[attr-defined]

    def clean_month(self) -> tuple[int, int]:
        text = self.cleaned_data["month"]
        try:
            day = dt.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError("연-월(YYYY-MM)로 적으세요.") from None
        return day.year, day.month
