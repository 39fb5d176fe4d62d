"""Citizen ID numbers (GB 11643-1999): 17 digits, a checksum character, a real birth date."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def checksum_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Return the canonical form or raise ValidationError saying what is wrong."""
    value = (raw or "").strip().replace(" ", "").upper()
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(value)},
            code="length",
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="characters"
        )
    birth_date(value)
    expected = checksum_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character should be %(expected)s, not %(given)s.")
            % {"expected": expected, "given": value[17]},
            code="checksum",
        )
    return value


def birth_date(value: str) -> dt.date:
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise ValidationError(
            _("The birth date inside the ID number (%(digits)s) is not a real date.")
            % {"digits": value[6:14]},
            code="birth_date",
        ) from exc
    if born.year < 1900 or born > dt.date.today():
        raise ValidationError(
            _("The birth date inside the ID number (%(digits)s) is not plausible.")
            % {"digits": value[6:14]},
            code="birth_date",
        )
    return born


def sex_from_id(value: str) -> str:
    """The 17th digit is odd for men and even for women."""
    return "male" if int(value[16]) % 2 else "female"


def mask_id_number(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else "*" * len(value)
