"""주민등록번호 (resident registration number): parsing, validation, encryption and the blind index.

Since October 2020 the last six digits are random, so only the format and the birth date are checked,
never the old check digit. The number is stored encrypted (AES-256-GCM, key outside the database) and
found by a keyed HMAC-SHA256 "blind index" that reveals nothing without the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chatdong.core.keys import keyring

_RRN_RE = re.compile(r"^\s*(\d{6})-?(\d)(\d{6})\s*$")
# 7th digit → (century, sex, foreigner)
_GENDER_DIGIT = {
    "9": (1800, "M", False),
    "0": (1800, "F", False),
    "1": (1900, "M", False),
    "2": (1900, "F", False),
    "3": (2000, "M", False),
    "4": (2000, "F", False),
    "5": (1900, "M", True),
    "6": (1900, "F", True),
    "7": (2000, "M", True),
    "8": (2000, "F", True),
}


class InvalidRRN(ValueError):
    """The text is not a valid 주민등록번호; the message is Korean and says why."""


@dataclass(frozen=True)
class RRN:
    digits: str  # 13 digits, no dash
    birth_date: dt.date
    sex: str  # "M" or "F"
    foreigner: bool

    @property
    def masked(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6]}******"

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"


def looks_like_rrn(text: str) -> bool:
    return bool(_RRN_RE.match(text))


def parse_rrn(text: str, *, today: dt.date | None = None) -> RRN:
    match = _RRN_RE.match(text or "")
    if not match:
        raise InvalidRRN("주민등록번호는 숫자 13자리(예: 900101-1234567)여야 합니다")
    front, gender_digit, back = match.groups()
    if gender_digit not in _GENDER_DIGIT:
        raise InvalidRRN(f"주민등록번호 뒷자리 첫 숫자 '{gender_digit}'는 쓰이지 않는 값입니다")
    century, sex, foreigner = _GENDER_DIGIT[gender_digit]
    year = century + int(front[:2])
    try:
        birth = dt.date(year, int(front[2:4]), int(front[4:6]))
    except ValueError:
        raise InvalidRRN(f"주민등록번호 앞자리 '{front}'는 없는 생년월일입니다") from None
    if birth > (today or dt.date.today()):
        raise InvalidRRN(f"주민등록번호의 생년월일({birth:%Y-%m-%d})이 미래입니다")
    return RRN(digits=front + gender_digit + back, birth_date=birth, sex=sex, foreigner=foreigner)


def blind_index(digits: str) -> str:
    """Keyed HMAC of the 13 digits: equal numbers give equal indexes; nothing else is revealed."""
    return hmac.new(keyring().blind_index_key, digits.encode(), hashlib.sha256).hexdigest()


@cache
def _cipher(key_id: int) -> AESGCM:
    return AESGCM(keyring().encryption_keys[key_id])


def encrypt_rrn(digits: str) -> bytes:
    """AES-256-GCM; the blob is key id (1 byte) + nonce (12) + ciphertext and tag."""
    key_id = keyring().current_key_id
    nonce = os.urandom(12)
    return bytes([key_id]) + nonce + _cipher(key_id).encrypt(nonce, digits.encode(), b"rrn")


def decrypt_rrn(blob: bytes) -> str:
    blob = bytes(blob)
    return _cipher(blob[0]).decrypt(blob[1:13], blob[13:], b"rrn").decode()
