"""Reading one cell: the spellings schools use for dates, numbers kept as text, yes/no.

Each parser returns the value or raises CellError with a code (stable, for tests and
callers) and a message for the person who wrote the file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from core.idnumber import normalize_id_number

# Cells a spreadsheet program would run as a formula; the export writes them with a
# leading apostrophe and the import takes the apostrophe off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

MIN_YEAR = 1900
MAX_EXCEL_SERIAL = 80000  # 2119-01-11: beyond it a number is not a date anyone meant


class CellError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date
    month_only: bool = False  # the cell gave a year and a month; the day is the 1st


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def clean_text(value: object) -> str:
    """Text of a cell: numbers without a trailing .0, outer spaces (also full-width) gone,
    and the apostrophe the export puts before formula characters taken off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().strip("\u3000\xa0").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        value = dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(
            "invalid_date",
            _("%(year)d-%(month)02d-%(day)02d is not a real date.")
            % {"year": year, "month": month, "day": day},
        ) from exc
    if year < MIN_YEAR:
        raise CellError(
            "invalid_date", _("A year before %(year)d is not plausible.") % {"year": MIN_YEAR}
        )
    return value


_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_FULL = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value: object) -> ParsedDate:
    """2024/3/5, 2024-03-05, 2024.3.5, 2024年3月5日, 20240305, an Excel date cell or serial
    number; 202403, 2024.03, 2024-03 and 2024年3月 give the first day of the month."""
    if isinstance(value, dt.datetime):
        return ParsedDate(value.date())
    if isinstance(value, dt.date):
        return ParsedDate(value)
    if isinstance(value, bool):
        raise CellError("invalid_date", _("This is not a date."))
    if isinstance(value, float) and not value.is_integer():
        return _parse_float_month(value)
    if isinstance(value, int | float):
        number = int(value)
        if 19000000 <= number <= 29991231:
            return _parse_text_date(str(number))
        if 190001 <= number <= 299912:
            return _parse_text_date(str(number))
        if MIN_YEAR <= number <= 2999:
            raise CellError(
                "year_only", _("Give at least the year and the month, not only the year.")
            )
        if 0 < number <= MAX_EXCEL_SERIAL:
            return ParsedDate(from_excel(number).date())
        raise CellError(
            "invalid_date", _("The number %(value)s is not a date.") % {"value": number}
        )
    return _parse_text_date(str(value))


def _parse_float_month(value: float) -> ParsedDate:
    """2024.03 typed into a number cell: year and month. 2024.1 is January or October
    (Excel drops the trailing zero), so it is refused rather than guessed."""
    text = repr(value)
    match = re.fullmatch(r"(\d{4})\.(\d{1,2})", text)
    if not match:
        raise CellError("invalid_date", _("The number %(value)s is not a date.") % {"value": text})
    if match.group(2) == "1":
        raise CellError(
            "ambiguous_month",
            _(
                "%(value)s is stored as a number, so it could be January or October; "
                "write the date as text, such as 2024-10-01."
            )
            % {"value": text},
        )
    return ParsedDate(_date(int(match.group(1)), int(match.group(2)), 1), month_only=True)


def _parse_text_date(raw: str) -> ParsedDate:
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _TIME_SUFFIX.sub("", text).strip()
    for pattern in (_FULL, _COMPACT_FULL):
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return ParsedDate(_date(year, month, day))
    for pattern in (_MONTH, _COMPACT_MONTH):
        match = pattern.match(text)
        if match:
            year, month = (int(g) for g in match.groups())
            return ParsedDate(_date(year, month, 1), month_only=True)
    raise CellError(
        "invalid_date",
        _("“%(value)s” is not a date this importer can read; write it like 2024-03-05.")
        % {"value": raw.strip()[:40]},
    )


def parse_text(value: object, max_length: int) -> str:
    text = clean_text(value)
    if len(text) > max_length:
        raise CellError(
            "too_long",
            _("At most %(max)d characters; this has %(n)d.") % {"max": max_length, "n": len(text)},
        )
    return text


def parse_id_number(value: object) -> str:
    """The canonical ID number, or the exact reason it is not one (GB 11643)."""
    if isinstance(value, float):
        raise CellError(
            "id_number_as_number",
            _(
                "This ID number is stored as a number, so Excel has dropped its last digits; "
                "format the column as text and type the number again."
            ),
        )
    try:
        return normalize_id_number(clean_text(value))
    except ValidationError as exc:
        raise CellError(exc.code or "id_number", exc.messages[0]) from exc


def parse_grade(value: object) -> int:
    text = unicodedata.normalize("NFKC", clean_text(value))
    match = re.fullmatch(r"(\d{4})\s*级?", text)
    if not match or not MIN_YEAR <= int(match.group(1)) <= 2200:
        raise CellError("invalid_grade", _("A grade is the year of entry, such as 2023 or 2023级."))
    return int(match.group(1))


def parse_email(value: object, max_length: int) -> str:
    text = parse_text(value, max_length)
    try:
        validate_email(text)
    except ValidationError as exc:
        raise CellError("invalid_email", _("This is not an e-mail address.")) from exc
    return text


def parse_choice(value: object, values: dict, aliases: dict, lookup) -> str:
    """An enumerated cell; the message lists what the column accepts."""
    text = clean_text(value)
    code = lookup(text, values, aliases)
    if code is None:
        raise CellError(
            "invalid_choice",
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text[:40], "choices": "、".join(str(v) for v in values.values())},
        )
    return code
