from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["성명", "생년월일", "전화번호", "주소", "기관 사례번호"]


def client_csv(
    path: Path, rows: list[list[str]], *, header: list[str] | None = None, encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADER)
        writer.writerows(rows)
    return path


# Rows about the world's residents (see chatdong.testing.world): 김가일 (Z1, 1950-03-01, 010-1111-0001),
# 김나일 (Z2), 김라일 (동 B), and someone unknown.
def world_rows() -> list[list[str]]:
    return [
        ["김가일", "1950-01-03", "010-1111-0001", "", "C-1"],  # swapped birth date, same phone
        ["김나일", "", "010-2222-0001", "가로 2", "C-2"],  # no birth date
        ["김라일", "", "01044440001", "", "C-3"],  # 동 B
        ["홍길동", "1977-07-07", "010-7777-7777", "", "C-4"],  # not in the registry
    ]
