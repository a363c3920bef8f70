"""Where uploaded client lists wait for the linking task (deleted once it ran)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


def store_upload(upload: UploadedFile) -> Path:
    """Save under MEDIA_ROOT/client-lists/ with a random name, readable by this account only."""
    folder = Path(settings.MEDIA_ROOT) / "client-lists"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{Path(upload.name or '').suffix.lower()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path
