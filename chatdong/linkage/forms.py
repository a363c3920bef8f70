"""Forms of the linkage pages: they only parse input."""

from __future__ import annotations

from pathlib import Path

from django import forms

EXTENSIONS = (".csv", ".xlsx")


class LiveCheckForm(forms.Form):
    name = forms.CharField(max_length=40, required=False, strip=True)
    birth_date = forms.CharField(max_length=20, required=False, strip=True)
    phone = forms.CharField(max_length=20, required=False, strip=True)
    address = forms.CharField(max_length=200, required=False, strip=True)
    rrn = forms.CharField(max_length=20, required=False, strip=True)


class ClientListUploadForm(forms.Form):
    file = forms.FileField(label="명단 파일", error_messages={"required": "파일을 골라 주세요."})

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("CSV 또는 XLSX 파일만 올릴 수 있습니다.")
        return upload
