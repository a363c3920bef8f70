"""Forms of the registry pages: they only parse input; the selectors and services decide."""

from __future__ import annotations

from pathlib import Path

from django import forms

SEARCH_KINDS = [
    ("auto", "자동"),
    ("name", "이름"),
    ("phone", "전화번호"),
    ("address", "도로명주소"),
    ("rrn", "주민등록번호"),
]
IMPORT_EXTENSIONS = (".csv", ".xlsx")


class SearchForm(forms.Form):
    q = forms.CharField(label="검색어", max_length=100, required=False, strip=True)
    kind = forms.ChoiceField(label="검색 종류", choices=SEARCH_KINDS, required=False)
    inactive = forms.BooleanField(label="전출·사망 포함", required=False)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or "auto"


class ReasonForm(forms.Form):
    """A stated reason: required to see a full 주민등록번호 or to download personal data."""

    reason = forms.CharField(
        label="사유",
        max_length=300,
        strip=True,
        error_messages={"required": "사유를 적어 주세요."},
        widget=forms.TextInput(attrs={"class": "krds-input", "placeholder": "예: 기초연금 신청 서류 확인"}),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="주민등록 자료 파일",
        error_messages={"required": "등록할 파일을 선택해 주세요.", "empty": "빈 파일입니다."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in IMPORT_EXTENSIONS:
            raise forms.ValidationError("CSV(.csv) 또는 엑셀(.xlsx) 파일만 등록할 수 있습니다.")
        return upload
