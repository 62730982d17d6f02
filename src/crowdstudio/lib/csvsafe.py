"""CSV cells that a spreadsheet will not run as formulas (CSV injection)."""

from __future__ import annotations


def safe_cell(value: str) -> str:
    """Prefix a cell that starts like a formula (=, +, @, a tab or CR, or a minus that is not a
    number) with an apostrophe, so spreadsheets show it as text."""
    if not value:
        return value
    if value[0] in "=+@\t\r" or (value[0] == "-" and not _is_number(value)):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
