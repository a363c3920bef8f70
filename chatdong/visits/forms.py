"""Forms of the visit pages: they only parse input; the services validate and decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict

from chatdong.core.needs import NeedCategory
from chatdong.visits.instruments import INSTRUMENTS
from chatdong.visits.models import HealthAssessment, HomeVisitScheduleItem, Visit
from chatdong.visits.services import RECORDABLE

_INPUT = {"class": "krds-input"}


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label="방문 결과",
        choices=[(o.value, o.label) for o in Visit.Outcome if o in RECORDABLE],
        widget=forms.RadioSelect,
        error_messages={"required": "방문 결과를 고르세요."},
    )
    notes = forms.CharField(
        label="메모", required=False, widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3})
    )
    next_on = forms.DateField(
        label="다음 방문일",
        required=False,
        help_text="부재면 다음 시도, 방문 완료면 다음 방문(대상은 진행 중으로 남습니다).",
        widget=forms.DateInput(attrs={"type": "date", "class": "krds-input"}),
    )


class HealthForm(forms.Form):
    bp_systolic = forms.IntegerField(
        label="수축기 혈압", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    bp_diastolic = forms.IntegerField(
        label="이완기 혈압", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    glucose = forms.IntegerField(label="혈당(mg/dL)", required=False, widget=forms.NumberInput(attrs=_INPUT))
    glucose_kind = forms.ChoiceField(
        label="혈당 측정",
        required=False,
        choices=[("", "—"), *HealthAssessment.Glucose.choices],
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    chronic = forms.MultipleChoiceField(
        label="만성질환",
        required=False,
        choices=HealthAssessment.Chronic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    medication_count = forms.IntegerField(
        label="복용 약 수", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    medications = forms.CharField(label="복용 약", required=False, widget=forms.TextInput(attrs=_INPUT))
    health_check_done = forms.NullBooleanField(
        label="국가건강검진 수검",
        required=False,
        widget=forms.Select(
            choices=[("unknown", "모름"), ("true", "받음"), ("false", "안 받음")],
            attrs={"class": "krds-form-select"},
        ),
    )
    health_check_year = forms.IntegerField(
        label="검진 연도", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    falls_last_year = forms.IntegerField(
        label="최근 1년 낙상(회)", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    frailty_score = forms.IntegerField(
        label="허약(K-FRAIL 0–5)", required=False, widget=forms.NumberInput(attrs=_INPUT)
    )
    notes = forms.CharField(label="건강 메모", required=False, widget=forms.TextInput(attrs=_INPUT))

    def data_or_none(self) -> dict[str, Any] | None:
        """The assessment as service input, or None when nothing was filled in."""
        data = {k: v for k, v in self.cleaned_data.items()}
        if not any(v not in (None, "", []) for v in data.values()):
            return None
        return data


def needs_from_post(post: QueryDict) -> dict[str, dict[str, Any]]:
    """need_<category>=on and need_note_<category>=… → {category: {need, note}} (only lines touched)."""
    needs: dict[str, dict[str, Any]] = {}
    for category in NeedCategory.values:
        need = post.get(f"need_{category}") == "on"
        note = post.get(f"need_note_{category}", "").strip()
        if need or note:
            needs[category] = {"need": need, "note": note}
    return needs


def answers_from_post(post: QueryDict, kind: str) -> list[int | None] | None:
    """s_<kind>_<n> for n = 1..items; None when no item of the instrument was answered."""
    count = len(INSTRUMENTS[kind].items)
    raw = [post.get(f"s_{kind}_{n}") for n in range(1, count + 1)]
    if not any(raw):
        return None
    answers: list[int | None] = []
    for value in raw:
        try:
            answers.append(int(value) if value else None)
        except ValueError:
            answers.append(None)
    return answers


def screenings_from_post(post: QueryDict) -> list[tuple[str, list[Any]]]:
    return [(kind, answers) for kind in INSTRUMENTS if (answers := answers_from_post(post, kind)) is not None]


class PlanForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput)
    scheduled_on = forms.DateField(
        label="방문 예정일",
        widget=forms.DateInput(attrs={"type": "date", "class": "krds-input"}),
        error_messages={"required": "방문 예정일을 고르세요."},
    )
    co_staff = forms.TypedChoiceField(label="동행자", required=False, coerce=int, empty_value=None)


class CaseForm(forms.Form):
    summary = forms.CharField(
        label="발굴 내용", widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3})
    )


class ReferForm(forms.Form):
    to_user = forms.TypedChoiceField(label="받는 담당자", coerce=int, required=False, empty_value=None)
    to_agency = forms.TypedChoiceField(label="받는 기관", coerce=int, required=False, empty_value=None)
    need_category = forms.ChoiceField(label="욕구 영역", choices=NeedCategory.choices)
    summary = forms.CharField(
        label="의뢰 내용", widget=forms.Textarea(attrs={"class": "krds-input", "rows": 3})
    )


def schedule_items_from_post(post: QueryDict) -> list[dict[str, Any]]:
    """Rows item-<n>-(id|label|track|anchor|offset_days|window_days|delete); empty label rows are skipped."""
    rows: list[dict[str, Any]] = []
    n = 0
    while f"item-{n}-label" in post:
        label = post.get(f"item-{n}-label", "").strip()
        if label and post.get(f"item-{n}-delete") != "on":
            row: dict[str, Any] = {
                "label": label,
                "track": post.get(f"item-{n}-track", ""),
                "anchor": post.get(f"item-{n}-anchor", ""),
                "offset_days": _int(post.get(f"item-{n}-offset_days")),
                "window_days": _int(post.get(f"item-{n}-window_days")),
                "id": _int(post.get(f"item-{n}-id")),
            }
            rows.append(row)
        n += 1
    return rows


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


TRACKS = HomeVisitScheduleItem.Track.choices
ANCHORS = HomeVisitScheduleItem.Anchor.choices


def parse_day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
