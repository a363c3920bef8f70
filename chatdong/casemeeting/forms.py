"""Forms of the case-meeting pages: they only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from chatdong.accounts.models import Agency, User
from chatdong.casemeeting.models import Decision
from chatdong.casemeeting.services import DecisionInput
from chatdong.cases.models import Case, CaseType, ClosureReason, ServicePlan

_INPUT = {"class": "krds-input"}
_SELECT = {"class": "krds-form-select"}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name} · {obj.agency.name if obj.agency else obj.get_role_display()}"


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, ServicePlan)
        return f"계획 {obj.pk} · {obj.written_on:%Y-%m-%d} 작성{' · 승인됨' if obj.approved_on else ''}"


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label="회의일",
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}),
        error_messages={"required": "회의일을 고르세요.", "invalid": "날짜 형식(YYYY-MM-DD)으로 적으세요."},
    )
    starts_at = forms.TimeField(
        label="시작 시각", required=False, widget=forms.TimeInput(attrs={**_INPUT, "type": "time"})
    )
    place = forms.CharField(
        label="장소",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "예: 주민센터 2층 회의실"}),
    )
    chair = PersonChoiceField(
        label="회의 주재", queryset=User.objects.none(), required=False, widget=forms.Select(attrs=_SELECT)
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chair = self.fields["chair"]
        assert isinstance(chair, forms.ModelChoiceField)
        chair.queryset = staff


class AttendeeStaffForm(forms.Form):
    user = PersonChoiceField(
        label="직원·기관 사례관리자",
        queryset=User.objects.none(),
        empty_label="참석자 고르기",
        widget=forms.Select(attrs=_SELECT),
        error_messages={"required": "참석자를 고르세요.", "invalid_choice": "고를 수 없는 계정입니다."},
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class AttendeeExternalForm(forms.Form):
    name = forms.CharField(label="이름", max_length=40, widget=forms.TextInput(attrs=_INPUT))
    organisation = forms.CharField(label="소속", max_length=80, widget=forms.TextInput(attrs=_INPUT))
    title = forms.CharField(
        label="직위·역할",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "예: 정신건강 전문가"}),
    )


class AddCaseForm(forms.Form):
    case = forms.IntegerField(min_value=1, error_messages={"required": "사례를 고르세요."})
    suggested = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=200, required=False)


class ItemRecordForm(forms.Form):
    """The record of one agenda item: discussion and up to three decisions (each switched on by a box)."""

    discussion = forms.CharField(
        label="논의 내용", required=False, widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3})
    )
    classify = forms.BooleanField(label="대상자 구분·주사례관리 기관 결정", required=False)
    case_type = forms.ChoiceField(
        label="대상자 구분",
        required=False,
        choices=[("", "고르세요"), *CaseType.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    lead_agency = forms.ModelChoiceField(
        label="주사례관리 기관",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="동 주민센터(공공)",
        widget=forms.Select(attrs=_SELECT),
    )
    co_agencies = forms.ModelMultipleChoiceField(
        label="협력 기관",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "cd-check"}),
    )
    approve = forms.BooleanField(label="서비스 제공계획 승인", required=False)
    plan = PlanChoiceField(
        label="승인할 계획",
        queryset=ServicePlan.objects.none(),
        required=False,
        empty_label="고르세요",
        widget=forms.Select(attrs=_SELECT),
    )
    close = forms.BooleanField(label="종결", required=False)
    close_reason = forms.ChoiceField(
        label="종결 사유",
        required=False,
        choices=[("", "고르세요"), *ClosureReason.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    follow_up_on = forms.DateField(
        label="사후관리 확인일", required=False, widget=forms.DateInput(attrs={**_INPUT, "type": "date"})
    )

    def __init__(self, *args: Any, case: Case, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_agency", "co_agencies"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = agencies
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = ServicePlan.objects.filter(case=case)

    @staticmethod
    def initial_for(discussion: str, decisions: list[Decision]) -> dict[str, object]:
        initial: dict[str, object] = {"discussion": discussion}
        for d in decisions:
            if d.kind == Decision.Kind.CLASSIFY:
                initial.update(
                    classify=True,
                    case_type=d.case_type,
                    lead_agency=d.lead_agency_id,
                    co_agencies=[a.pk for a in d.co_agencies.all()],
                )
            elif d.kind == Decision.Kind.PLAN_APPROVE:
                initial.update(approve=True, plan=d.plan_id)
            elif d.kind == Decision.Kind.CLOSE:
                initial.update(close=True, close_reason=d.close_reason, follow_up_on=d.follow_up_on)
        return initial

    def decisions(self) -> list[DecisionInput]:
        data = self.cleaned_data
        out: list[DecisionInput] = []
        if data.get("classify"):
            out.append(
                DecisionInput(
                    kind=Decision.Kind.CLASSIFY,
                    case_type=data.get("case_type") or "",
                    lead_agency=data.get("lead_agency"),
                    co_agencies=tuple(data.get("co_agencies") or ()),
                )
            )
        if data.get("approve"):
            out.append(DecisionInput(kind=Decision.Kind.PLAN_APPROVE, plan=data.get("plan")))
        if data.get("close"):
            out.append(
                DecisionInput(
                    kind=Decision.Kind.CLOSE,
                    close_reason=data.get("close_reason") or "",
                    follow_up_on=data.get("follow_up_on"),
                )
            )
        return out


class MinutesForm(forms.Form):
    summary = forms.CharField(
        label="회의 총평", required=False, widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3})
    )
