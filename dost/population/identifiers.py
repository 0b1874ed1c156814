"""Personal IDs for millions of persons at once, unique across the whole run.

FIN: the person's running number goes through an affine permutation of the 34^7 FIN space (a
bijection, so distinct numbers give distinct FINs) and is written in base 34 over the FIN
alphabet; the seed shifts the permutation.

PINFL: the same digits `dost.registry.national_id.make_pinfl` builds (century/sex, DDMMYY,
3-digit office code, 3-digit serial, check digit), computed on arrays. The serial counts persons
with the same birth date, sex and office across chunks (`PinflSerials`), which keeps PINFLs unique.
A test checks the arrays against `make_pinfl` itself.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext_lazy as _

from dost.registry.national_id import PINFL_WEIGHTS

FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
FIN_SPACE = len(FIN_ALPHABET) ** 7
# Coprime with 34^7 = 2^7 * 17^7 (odd, not a multiple of 17): multiplying by it permutes the space.
FIN_MULTIPLIER = 16_129_364_387
EPOCH = dt.date(1900, 1, 1)
OFFICE_LIMIT = 64
OFFICE_OUT_OF_RANGE = _("PINFL office codes of the synthetic population must be 0..63.")

PINFL_SERIALS_EXHAUSTED = _(
    "More than 1000 persons share a birth date, sex and office code: PINFLs would repeat."
)


def fins(global_index: npt.NDArray[np.int64], *, seed: int) -> npt.NDArray[np.str_]:
    """Distinct FINs for distinct indexes (< 34^7)."""
    offset = np.uint64((seed * 2_654_435_761) % FIN_SPACE)
    numbers = (global_index.astype(np.uint64) * np.uint64(FIN_MULTIPLIER) + offset) % np.uint64(
        FIN_SPACE
    )
    alphabet = np.frombuffer(FIN_ALPHABET.encode("ascii"), dtype=np.uint8)
    chars = np.empty((len(numbers), 7), dtype=np.uint8)
    for position in range(6, -1, -1):
        chars[:, position] = alphabet[(numbers % np.uint64(34)).astype(np.int64)]
        numbers //= np.uint64(34)
    return chars.view("S7").ravel().astype(np.str_)


class PinflSerials:
    """Per (birth date, sex, office) counters that carry over from one chunk to the next."""

    def __init__(self) -> None:
        self._counts = np.zeros(0, dtype=np.int64)

    def take(self, key: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """A serial per row: rows with the same key get consecutive, never reused numbers."""
        if len(key) == 0:
            return np.zeros(0, dtype=np.int64)
        size = int(key.max()) + 1
        if size > len(self._counts):
            grown = np.zeros(size, dtype=np.int64)
            grown[: len(self._counts)] = self._counts
            self._counts = grown
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
        run_lengths = np.diff(np.r_[starts, len(sorted_key)])
        rank_sorted = np.arange(len(sorted_key)) - np.repeat(starts, run_lengths)
        serial = np.empty(len(key), dtype=np.int64)
        serial[order] = rank_sorted + self._counts[sorted_key]
        np.add.at(self._counts, sorted_key[starts], run_lengths)
        if len(serial) and serial.max() >= 1000:
            raise ValueError(str(PINFL_SERIALS_EXHAUSTED))
        return serial


def pinfls(
    *,
    birth_days: npt.NDArray[np.int64],
    male: npt.NDArray[np.bool_],
    office: npt.NDArray[np.int64],
    serials: PinflSerials,
) -> npt.NDArray[np.str_]:
    """PINFLs for persons born `birth_days` days after 1900-01-01 (vectorised make_pinfl)."""
    dates = np.datetime64(EPOCH.isoformat(), "D") + birth_days.astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.where(years < 2000, 3, 5)
    first = century + np.where(male, 0, 1)
    # Office codes are region SOATO codes (< 64): a compact key keeps the counters small.
    if len(office) and (office.min() < 0 or office.max() >= OFFICE_LIMIT):
        raise ValueError(str(OFFICE_OUT_OF_RANGE))
    key = (birth_days * 2 + (~male).astype(np.int64)) * OFFICE_LIMIT + office
    serial = serials.take(key)
    digits = np.empty((len(birth_days), 14), dtype=np.int64)
    digits[:, 0] = first
    digits[:, 1] = days // 10
    digits[:, 2] = days % 10
    digits[:, 3] = months // 10
    digits[:, 4] = months % 10
    digits[:, 5] = (years % 100) // 10
    digits[:, 6] = years % 10
    digits[:, 7] = office // 100
    digits[:, 8] = (office // 10) % 10
    digits[:, 9] = office % 10
    digits[:, 10] = serial // 100
    digits[:, 11] = (serial // 10) % 10
    digits[:, 12] = serial % 10
    weights = np.array(PINFL_WEIGHTS[:13], dtype=np.int64)
    digits[:, 13] = (digits[:, :13] * weights).sum(axis=1) % 10
    chars = (digits + ord("0")).astype(np.uint8)
    return chars.view("S14").ravel().astype(np.str_)
