"""Forms of the access-log review pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from chatdong.audit.models import AccessLog
from chatdong.audit.selectors import OBJECT_TYPE_LABELS, LogFilter
from chatdong.core.time import today

_DATE = forms.DateInput(attrs={"type": "date", "class": "krds-input"}, format="%Y-%m-%d")


class LogFilterForm(forms.Form):
    account = forms.CharField(
        label="계정", max_length=150, required=False, widget=forms.TextInput(attrs={"class": "krds-input"})
    )
    action = forms.ChoiceField(
        label="수행업무", choices=[("", "전체"), *AccessLog.Action.choices], required=False
    )
    date_from = forms.DateField(label="기간 시작", required=False, widget=_DATE)
    date_to = forms.DateField(label="기간 끝", required=False, widget=_DATE)
    resident = forms.IntegerField(
        label="정보주체(주민 ID)",
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"class": "krds-input", "inputmode": "numeric"}),
    )
    object_type = forms.ChoiceField(
        label="대상 종류", choices=[("", "전체"), *OBJECT_TYPE_LABELS.items()], required=False
    )
    object_id = forms.CharField(
        label="대상 ID", max_length=40, required=False, widget=forms.TextInput(attrs={"class": "krds-input"})
    )
    with_reason = forms.BooleanField(label="사유가 있는 기록만", required=False)
    downloads_only = forms.BooleanField(label="다운로드만", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("기간의 시작이 끝보다 늦습니다.")
        return data

    def to_filter(self) -> LogFilter:
        data = self.cleaned_data
        return LogFilter(
            account=data.get("account") or "",
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            resident_id=data.get("resident"),
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            with_reason=bool(data.get("with_reason")),
            downloads_only=bool(data.get("downloads_only")),
        )


def _last_month() -> tuple[dt.date, dt.date]:
    first_of_this = today().replace(day=1)
    last_of_prev = first_of_this - dt.timedelta(days=1)
    return last_of_prev.replace(day=1), last_of_prev


class ReviewForm(forms.Form):
    period_from = forms.DateField(label="점검 기간 시작", widget=_DATE)
    period_to = forms.DateField(label="점검 기간 끝", widget=_DATE)
    findings = forms.CharField(
        label="점검 결과 및 조치",
        max_length=4000,
        widget=forms.Textarea(
            attrs={
                "class": "krds-input",
                "rows": 4,
                "placeholder": "예: 업무시간 외 대량 조회 없음. 다운로드 3건 모두 사유 확인.",
            }
        ),
        error_messages={"required": "점검 결과를 적어 주세요."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            start, end = _last_month()
            kwargs.setdefault("initial", {"period_from": start, "period_to": end})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_from") and data.get("period_to") and data["period_from"] > data["period_to"]:
            raise forms.ValidationError("점검 기간의 시작이 끝보다 늦습니다.")
        return data
