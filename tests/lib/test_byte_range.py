"""One byte-range reader for every player that seeks in a private file (montage preview, table
read): RFC 9110 single ranges, hostile headers answered without a crash."""

from __future__ import annotations

import pytest

from crowdstudio.lib.http import byte_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=4-7", (4, 7)),
        ("bytes=8-", (8, 11)),
        ("bytes=-4", (8, 11)),
        ("bytes=-99", (0, 11)),
        ("bytes=4-99", (4, 11)),
        ("bytes=12-", (12, 12)),  # starts past the end: 416
        ("bytes=-0", (12, 12)),
        ("bytes=7-4", None),  # last before first: ignored, the whole file
        ("", None),
        ("bytes=-", None),
        ("items=1-2", None),
        ("bytes=1-2,4-5", None),  # several ranges: the whole file
        ("bytes=" + "9" * 5000 + "-", (12, 12)),
        ("bytes=8-" + "9" * 5000, (8, 11)),
        ("bytes=-" + "9" * 5000, (0, 11)),
    ],
)
def test_a_range_header_becomes_first_and_last_byte(header, expected):
    assert byte_range(header, 12) == expected
