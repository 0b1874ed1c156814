"""Personal IDs: Azerbaijan's FIN and Uzbekistan's PINFL (no database needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dost.registry.national_id import (
    FIN_INVALID,
    PINFL_CHECK_DIGIT,
    PINFL_INVALID,
    make_pinfl,
    pinfl_check_digit,
    validate_personal_id,
)
from dost.registry.tests.factories import fin_for


def error_of(value: str, country: str) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate_personal_id(value, country)
    return exc.value


@pytest.mark.parametrize("fin", ["5ZJ8K2L", "0000000", "ABCDEFG", "1234567"])
def test_it_accepts_a_fin(fin: str) -> None:
    validate_personal_id(fin, "az")


@pytest.mark.parametrize("fin", ["5ZJ8K2", "5ZJ8K2LM", "5zj8k2l", "5ZJ8K2I", "5ZJ8KO2",
                                 "5ZJ 8K2", "", "5ZJ8K2Ə"])
def test_it_refuses_a_malformed_fin(fin: str) -> None:
    error = error_of(fin, "az")
    assert error.code == "fin_invalid" and error.messages == [str(FIN_INVALID)]


def test_it_computes_the_icao_check_digit() -> None:
    # ICAO 9303's worked examples: birth date 740812 checks to 2, expiry 120415 to 9.
    assert pinfl_check_digit("740812") == 2
    assert pinfl_check_digit("120415") == 9
    assert pinfl_check_digit("0000000000000") == 0
    assert pinfl_check_digit("1000000000000") == 7


def test_it_builds_a_pinfl_from_birth_date_sex_region_and_serial() -> None:
    pinfl = make_pinfl(birth_date=dt.date(1990, 7, 15), sex="F", region_code=26, serial=42)
    assert pinfl[:13] == "4150790026042"
    assert pinfl[13] == str(pinfl_check_digit(pinfl[:13]))
    assert make_pinfl(birth_date=dt.date(2004, 1, 2), sex="M", region_code=1, serial=1)[:7] == (
        "5020104")
    validate_personal_id(pinfl, "uz")


@given(
    birth_date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    sex=st.sampled_from(["M", "F"]),
    region_code=st.integers(min_value=0, max_value=999),
    serial=st.integers(min_value=0, max_value=999),
)
def test_it_validates_every_pinfl_it_builds(birth_date: dt.date, sex: str, region_code: int,
                                            serial: int) -> None:
    pinfl = make_pinfl(birth_date=birth_date, sex=sex, region_code=region_code, serial=serial)
    assert len(pinfl) == 14
    validate_personal_id(pinfl, "uz")


@given(pinfl=st.builds(
    lambda d, s: make_pinfl(birth_date=d, sex="M", region_code=26, serial=s),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
), position=st.integers(min_value=0, max_value=13), delta=st.integers(min_value=1, max_value=9))
def test_it_catches_every_single_digit_typo(pinfl: str, position: int, delta: int) -> None:
    # Weights 7, 3 and 1 are coprime with 10, so changing any one digit changes the sum mod 10.
    typo = pinfl[:position] + str((int(pinfl[position]) + delta) % 10) + pinfl[position + 1:]
    with pytest.raises(ValidationError):
        validate_personal_id(typo, "uz")


def test_it_refuses_a_pinfl_with_a_wrong_check_digit() -> None:
    pinfl = make_pinfl(birth_date=dt.date(1990, 7, 15), sex="F", region_code=26, serial=42)
    wrong = pinfl[:13] + str((int(pinfl[13]) + 1) % 10)
    error = error_of(wrong, "uz")
    assert error.code == "pinfl_check_digit" and error.messages == [str(PINFL_CHECK_DIGIT)]


@pytest.mark.parametrize("pinfl", ["0150790026042", "7150790026042", "415079002604",
                                   "415079002604211", "41507900260A2", ""])
def test_it_refuses_a_malformed_pinfl(pinfl: str) -> None:
    error = error_of(pinfl, "uz")
    assert error.code == "pinfl_invalid" and error.messages == [str(PINFL_INVALID)]


def test_it_refuses_an_unknown_country() -> None:
    assert error_of("5ZJ8K2L", "kz").code == "country"


@given(st.integers(min_value=0, max_value=34**7 - 1))
def test_it_makes_valid_distinct_fins_for_tests(n: int) -> None:
    fin = fin_for(n)
    validate_personal_id(fin, "az")
    assert fin_for(n + 1) != fin
