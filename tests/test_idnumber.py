import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.idnumber import (
    birth_date,
    checksum_char,
    mask_id_number,
    normalize_id_number,
    sex_from_id,
)
from tests.factories import make_id_number

# The first is the standard's worked example; the second was checked by hand.
KNOWN_VALID = ["11010519491231002X", "440524198001010013"]


@pytest.mark.parametrize("value", KNOWN_VALID)
def test_known_numbers_pass(value):
    assert normalize_id_number(value) == value


def test_lower_case_x_and_spaces_are_normalised():
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, code",
    [
        ("11010519491231002", "length"),
        ("1101051949123100211", "length"),
        ("11010519491231002Y", "characters"),
        ("1101A519491231002X", "characters"),
        ("110105194912310021", "checksum"),
        ("110105194902300020", "birth_date"),  # 30 February
        ("110105189912310020", "birth_date"),  # before 1900
    ],
)
def test_invalid_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(value)
    assert exc.value.code == code


def test_every_wrong_check_character_is_refused():
    first17 = "11010519491231002"
    right = checksum_char(first17)
    for char in "0123456789X":
        if char != right:
            with pytest.raises(ValidationError):
                normalize_id_number(first17 + char)


def test_future_birth_date_is_refused():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        normalize_id_number(make_id_number(born=tomorrow))


def test_leap_day_is_a_real_date():
    value = make_id_number(born=dt.date(2004, 2, 29))
    assert birth_date(value) == dt.date(2004, 2, 29)


def test_sex_and_mask():
    assert sex_from_id("11010519491231002X") == "female"
    assert sex_from_id("440524198001010013") == "male"
    assert mask_id_number("11010519491231002X") == "110105********002X"
