import datetime as dt

import pytest

from chatdong.core.rrn import InvalidRRN, blind_index, decrypt_rrn, encrypt_rrn, parse_rrn


@pytest.mark.parametrize(
    ("text", "birth", "sex"),
    [
        ("900101-1234567", dt.date(1990, 1, 1), "M"),
        ("0002294123456", dt.date(2000, 2, 29), "F"),
        ("991231-9123456", dt.date(1899, 12, 31), "M"),
        ("850615-2000000", dt.date(1985, 6, 15), "F"),
    ],
)
def test_parse_valid_numbers_of_every_century(text: str, birth: dt.date, sex: str) -> None:
    rrn = parse_rrn(text)
    assert (rrn.birth_date, rrn.sex) == (birth, sex)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90010-1234567", "숫자 13자리"),
        ("900230-1234567", "없는 생년월일"),
        ("010229-3123456", "없는 생년월일"),
        ("991231-4123456", "미래"),
    ],
)
def test_parse_rejects_with_korean_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidRRN, match=message):
        parse_rrn(text, today=dt.date(2026, 11, 22))


def test_no_checksum_is_applied_to_post_2020_numbers() -> None:
    # Random last six digits (post-October-2020 numbers) are valid whatever the old check digit says.
    assert parse_rrn("201015-3987650").digits == "2010153987650"
    assert parse_rrn("201015-3987651").digits == "2010153987651"


def test_encryption_round_trip_and_blind_index_is_deterministic() -> None:
    blob = encrypt_rrn("9001011234567")
    assert b"9001011234567" not in blob
    assert decrypt_rrn(blob) == "9001011234567"
    assert encrypt_rrn("9001011234567") != blob  # fresh nonce each time
    assert blind_index("9001011234567") == blind_index("9001011234567")
    assert blind_index("9001011234567") != blind_index("9001011234568")
