"""Keys for identity-number encryption, the blind index and the audit chain.

They live in a file outside the database (settings.CHATDONG_KEY_FILE, default var/keys.json, mode 0600)
so that a copy of the database alone reveals no identity number. A new installation creates the file.
Each encryption key has an id; ciphertexts carry it, so keys can be rotated (`current` names the one
used for new writes) while old rows stay readable.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class KeyRing:
    encryption_keys: dict[int, bytes]
    current_key_id: int
    blind_index_key: bytes
    audit_key: bytes


def _new_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "current": 1,
        "encryption": {"1": base64.b64encode(secrets.token_bytes(32)).decode()},
        "blind_index": base64.b64encode(secrets.token_bytes(32)).decode(),
        "audit": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)


@cache
def keyring() -> KeyRing:
    path = Path(settings.CHATDONG_KEY_FILE)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            _new_key_file(path)
    data = json.loads(path.read_text())
    return KeyRing(
        encryption_keys={int(k): base64.b64decode(v) for k, v in data["encryption"].items()},
        current_key_id=int(data["current"]),
        blind_index_key=base64.b64decode(data["blind_index"]),
        audit_key=base64.b64decode(data["audit"]),
    )
