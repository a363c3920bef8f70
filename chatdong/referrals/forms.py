"""Forms of the referral, desk and directory pages: they only parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from chatdong.accounts.models import Agency, Dong, User
from chatdong.core.needs import NeedCategory
from chatdong.referrals.models import DeskNeed, Referral

TEXT = {"class": "krds-input"}
AREA = {"class": "krds-input", "rows": 3}


class NoteForm(forms.Form):
    """accept (note optional), decline/return (reason), complete (result)."""

    text = forms.CharField(label="내용", max_length=2000, required=False, widget=forms.Textarea(attrs=AREA))


class ForwardForm(forms.Form):
    to_kind = forms.ChoiceField(
        label="받을 곳", choices=Referral.To.choices, widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    to_user = forms.ModelChoiceField(
        label="동·구 담당자",
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    to_agency = forms.ModelChoiceField(
        label="기관",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    reason = forms.CharField(label="재의뢰 사유", max_length=2000, widget=forms.Textarea(attrs=AREA))

    def __init__(self, *args: Any, staff: QuerySet[User], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = staff  # type: ignore[attr-defined]
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]


class IntakeForm(forms.Form):
    """Who came (a registry resident, or name/phone/birth date) and what they need (categories + notes;
    the notes come in as need_note_<category>, read by the view)."""

    resident_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="성명", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT))
    phone = forms.CharField(label="연락처", max_length=20, required=False, widget=forms.TextInput(attrs=TEXT))
    birth_date = forms.DateField(
        label="생년월일", required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    needs = forms.MultipleChoiceField(
        label="필요한 도움",
        choices=NeedCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "필요한 도움을 하나 이상 고르세요."},
    )
    note = forms.CharField(
        label="상담 내용", max_length=4000, required=False, widget=forms.Textarea(attrs=AREA)
    )


class RouteForm(forms.Form):
    route = forms.ChoiceField(
        label="연계",
        choices=[c for c in DeskNeed.Route.choices if c[0] != DeskNeed.Route.OPEN],
        widget=forms.RadioSelect,
    )
    to_user = forms.ModelChoiceField(
        label="담당자",
        queryset=User.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    to_agency = forms.ModelChoiceField(
        label="기관",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    summary = forms.CharField(
        label="의뢰 내용", max_length=2000, required=False, widget=forms.Textarea(attrs=AREA)
    )

    def __init__(self, *args: Any, staff: QuerySet[User], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = staff  # type: ignore[attr-defined]
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]


class AgencyForm(forms.Form):
    name = forms.CharField(label="기관명", max_length=80, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(
        label="유형", choices=Agency.Kind.choices, widget=forms.Select(attrs={"class": "krds-form-select"})
    )
    need_categories = forms.MultipleChoiceField(
        label="지원 욕구 영역",
        choices=NeedCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.CharField(label="제공 서비스", required=False, widget=forms.Textarea(attrs=AREA))
    phone = forms.CharField(label="전화", max_length=20, required=False, widget=forms.TextInput(attrs=TEXT))
    email = forms.EmailField(label="전자우편", required=False, widget=forms.EmailInput(attrs=TEXT))
    contact_person = forms.CharField(
        label="담당자", max_length=40, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    hours = forms.CharField(
        label="운영 시간", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    address = forms.CharField(
        label="주소", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    accepts_referrals = forms.BooleanField(label="의뢰 받음", required=False, initial=True)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="검색어", max_length=80, required=False, widget=forms.TextInput(attrs=TEXT))
    category = forms.ChoiceField(
        label="욕구 영역",
        choices=[("", "전체"), *NeedCategory.choices],
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )


class AgencyFindingForm(forms.Form):
    """민간기관 발굴 의뢰: the 동 (of the agency's district), the person as the agency knows them, the
    need and what was found."""

    dong = forms.ModelChoiceField(
        label="보낼 동",
        queryset=Dong.objects.none(),
        empty_label="동을 고르세요",
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    name = forms.CharField(label="대상자 성명", max_length=40, widget=forms.TextInput(attrs=TEXT))
    birth_date = forms.DateField(
        label="생년월일", required=False, widget=forms.DateInput(attrs={**TEXT, "type": "date"})
    )
    phone = forms.CharField(label="연락처", max_length=20, required=False, widget=forms.TextInput(attrs=TEXT))
    address = forms.CharField(
        label="주소", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    need_category = forms.ChoiceField(
        label="욕구 영역",
        choices=[("", "고르세요"), *NeedCategory.choices],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    summary = forms.CharField(
        label="발굴 내용", max_length=4000, widget=forms.Textarea(attrs={**AREA, "rows": 5})
    )
    urgent = forms.BooleanField(label="긴급(오늘 안에 연락이 필요합니다)", required=False)

    def __init__(self, *args: Any, dongs: QuerySet[Dong], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dong"].queryset = dongs  # type: ignore[attr-defined]


class OpenCaseForm(forms.Form):
    """사례로 등록: the resident picked from the 동's registry (the pick list's radio) and, optionally, the
    case's 발굴 내용 (the referral's summary otherwise)."""

    resident_id = forms.IntegerField(
        error_messages={
            "required": "대상 주민을 검색해서 고르세요.",
            "invalid": "대상 주민을 검색해서 고르세요.",
        }
    )
    summary = forms.CharField(
        label="발굴 내용(사례 대장에 남길 내용, 비우면 의뢰 내용)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs=AREA),
    )
