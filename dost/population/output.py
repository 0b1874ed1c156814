"""The bulk-import file format (docs/import.md): one Parquet file per kind, one row group per chunk.

Column types: identifiers, codes and vocabularies are strings; dates are Parquet DATE; months are
`YYYY-MM` strings; money is DOUBLE rounded to 2 decimals; booleans are BOOLEAN; counts and
percentages are INT32. Empty values are nulls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from dost.population.assets import PURPOSES, UTILITY_KINDS
from dost.population.calendar import NO_DATE, UNIX_OFFSET, IntArray, month_labels
from dost.population.demography import ROLES, STATELESS, Households, Persons
from dost.population.economy import INCOME_TYPES, STATUS_KINDS, TERMINATION_REASONS
from dost.population.names import NamePools
from dost.population.profiles import FIRST_MONTH_INDEX, LAST_MONTH_INDEX, CountryProfile
from dost.registry.geography import Geography

# large_string is what Polars hands to Arrow without a copy; Parquet stores both string types
# alike (BYTE_ARRAY, UTF8).
S, D, F, B, I32 = pa.large_string(), pa.date32(), pa.float64(), pa.bool_(), pa.int32()

SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema([
        ("personal_id", S), ("last_name", S), ("first_name", S), ("patronymic", S),
        ("birth_date", D), ("sex", S), ("death_date", D), ("citizenship", S),
        ("residence_status", S), ("district", S), ("mother_id", S), ("father_id", S),
        ("preferred_language", S), ("phone", S), ("email", S),
    ]),
    "households": pa.schema([("reference", S), ("district", S), ("address", S),
                             ("created_on", D)]),
    "memberships": pa.schema([("household", S), ("personal_id", S), ("role", S),
                              ("joined_on", D), ("left_on", D)]),
    "incomes": pa.schema([("personal_id", S), ("month", S), ("type", S), ("amount", F)]),
    "contracts": pa.schema([
        ("personal_id", S), ("employer_name", S), ("employer_tax_id", S), ("start_date", D),
        ("end_date", D), ("termination_reason", S), ("monthly_wage", F),
    ]),
    "insurance": pa.schema([("personal_id", S), ("as_of", D), ("record_months", I32),
                            ("pension_capital", F)]),
    "disabilities": pa.schema([("personal_id", S), ("impairment_percent", I32), ("group", I32),
                               ("valid_from", D), ("valid_to", D)]),
    "vehicles": pa.schema([
        ("personal_id", S), ("registration_number", S), ("acquired_on", D), ("disposed_on", D),
        ("value", F), ("issued_for_rehabilitation", B),
    ]),
    "real_estate": pa.schema([("personal_id", S), ("purpose", S), ("address", S),
                              ("acquired_on", D), ("disposed_on", D), ("value", F)]),
    "utilities": pa.schema([("household", S), ("month", S), ("kind", S), ("amount", F)]),
    "statuses": pa.schema([("personal_id", S), ("kind", S), ("valid_from", D), ("valid_to", D)]),
    "job_offers": pa.schema([("personal_id", S), ("offered_on", D), ("employer_name", S),
                             ("suitable", B), ("refused", B)]),
}
# The order the importer loads a directory in (persons before their facts).
KINDS = tuple(SCHEMAS)
# Columns with (nearly) a distinct value per row: a dictionary would only cost time.
DISTINCT_COLUMNS = frozenset({
    "personal_id", "household", "reference", "mother_id", "father_id", "phone", "email",
    "address", "registration_number",
})

RESIDENCE = ("permanent", "temporary", "none")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
HOUSE_WORDS = {"az": ("ev", "mənzil"), "uz": ("uy", "xonadon")}
MONTHS = month_labels(FIRST_MONTH_INDEX, LAST_MONTH_INDEX)


def _date(column: str) -> pl.Expr:
    return (
        pl.when(pl.col(column) == NO_DATE)
        .then(None)
        .otherwise(pl.col(column) - UNIX_OFFSET)
        .cast(pl.Int32)
        .cast(pl.Date)
        .alias(column)
    )


def _vocabulary(column: str, values: Sequence[str]) -> pl.Expr:
    return pl.col(column).replace_strict(dict(enumerate(values)), default=None,
                                         return_dtype=pl.String).alias(column)


def _pick(values: Sequence[str], codes: npt.NDArray[np.integer[Any]]) -> pl.Series:
    return pl.Series(values=list(values), dtype=pl.String).gather(codes)


def _address(country: str, streets: Sequence[str], street: IntArray, house: IntArray,
             flat: IntArray | None) -> pl.Series:
    house_word, flat_word = HOUSE_WORDS[country]
    street_names = _pick(streets, street % len(streets))
    houses = pl.Series(house).cast(pl.String)
    frame = pl.DataFrame({"s": street_names, "h": houses})
    if country == "az":
        text = pl.format("{}, {} {}", pl.col("s"), pl.lit(house_word), pl.col("h"))
    else:
        text = pl.format("{}, {}-{}", pl.col("s"), pl.col("h"), pl.lit(house_word))
    if flat is not None:
        frame = frame.with_columns(f=pl.Series(flat).cast(pl.String), has_flat=flat > 0)
        flat_text = (pl.format("{}, {} {}", text, pl.lit(flat_word), pl.col("f")) if country ==
                     "az" else pl.format("{}, {}-{}", text, pl.col("f"), pl.lit(flat_word)))
        text = pl.when(pl.col("has_flat")).then(flat_text).otherwise(text)
    return frame.select(text.alias("address")).to_series()


def _plates(country: str, index: IntArray, seed: int) -> pl.Series:
    """Distinct registration numbers for distinct vehicle indexes (an affine permutation)."""
    letters = len(PLATE_LETTERS)
    space = 90 * letters * letters * 1000 if country == "az" else 90 * letters**3 * 1000
    code = (index.astype(np.uint64) * np.uint64(7_368_787) + np.uint64(seed * 97 % space)) \
        % np.uint64(space)
    code = code.astype(np.int64)
    digits, code = code % 1000, code // 1000
    first, code = code % letters, code // letters
    second, code = code % letters, code // letters
    alphabet = list(PLATE_LETTERS)
    frame = pl.DataFrame({
        "n": pl.Series(digits).cast(pl.String).str.zfill(3),
        "a": _pick(alphabet, first),
        "b": _pick(alphabet, second),
    })
    if country == "az":
        region = pl.Series(code % 90 + 10).cast(pl.String)
        frame = frame.with_columns(r=region)
        text = pl.format("{}-{}{}-{}", pl.col("r"), pl.col("a"), pl.col("b"), pl.col("n"))
    else:
        third, code = code % letters, code // letters
        region = pl.Series(code % 90 + 10).cast(pl.String)
        frame = frame.with_columns(r=region, c=_pick(alphabet, third))
        text = pl.format("{} {} {} {}{}", pl.col("r"), pl.col("a"), pl.col("n"), pl.col("b"),
                         pl.col("c"))
    return frame.select(text).to_series()


class ChunkTables:
    """Turns one chunk's arrays and frames into Arrow tables with the import schemas."""

    def __init__(self, *, profile: CountryProfile, geography: Geography, pools: NamePools,
                 seed: int) -> None:
        self.profile = profile
        self.pools = pools
        self.seed = seed
        self.district_codes = [d.code for d in geography.districts]
        self.citizenships = [profile.citizenship, *profile.foreign_citizenships]
        tax_base = 1_400_000_000 if profile.country == "az" else 200_000_000
        self.employer_tax_ids = [str(tax_base + i * 104_729) for i in range(len(pools.employers))]

    def build(self, *, rng: np.random.Generator, households: Households, persons: Persons,
              personal_ids: np.ndarray, frames: dict[str, pl.DataFrame],
              vehicle_offset: int) -> dict[str, pa.Table]:
        country = self.profile.country
        pools = self.pools
        pid = pl.Series(values=personal_ids, dtype=pl.String)
        references = (pl.Series(households.global_index).cast(pl.String).str.zfill(9))
        references = pl.select(pl.lit(f"{country.upper()}H") + references).to_series()
        tables: dict[str, pl.DataFrame] = {}
        n = len(persons)
        male = persons.male

        last = pl.select(
            pl.when(pl.Series(male)).then(_pick(pools.last_male, persons.surname))
            .otherwise(_pick(pools.last_female, persons.surname))
        ).to_series()
        first = pl.select(
            pl.when(pl.Series(male))
            .then(_pick(pools.first_male, np.minimum(persons.first_name,
                                                      len(pools.first_male) - 1)))
            .otherwise(_pick(pools.first_female, np.minimum(persons.first_name,
                                                            len(pools.first_female) - 1)))
        ).to_series()
        patronymic = pl.select(
            _pick(pools.first_male, persons.patronymic)
            + pl.when(pl.Series(male)).then(pl.lit(pools.patronymic_male))
            .otherwise(pl.lit(pools.patronymic_female))
        ).to_series()
        citizenship = np.where(persons.citizenship == STATELESS, len(self.citizenships),
                               persons.citizenship)
        adult = persons.age >= 16
        has_phone = adult & (rng.random(n) < 0.85)
        phone_number = pl.Series(rng.integers(0, 10_000_000, n)).cast(pl.String).str.zfill(7)
        prefixes = _pick(self.profile.phone_prefixes,
                         rng.integers(0, len(self.profile.phone_prefixes), n))
        has_email = adult & (persons.age < 65) & (rng.random(n) < 0.25)
        language = rng.choice(len(self.profile.languages), size=n,
                              p=np.asarray(self.profile.language_weights))
        mother = np.maximum(persons.mother, 0)
        father = np.maximum(persons.father, 0)
        tables["persons"] = pl.DataFrame({
            "personal_id": pid,
            "last_name": last,
            "first_name": first,
            "patronymic": patronymic,
            "birth_date": persons.birth,
            "sex": np.where(male, "M", "F"),
            "death_date": persons.death,
            "citizenship": _pick([*self.citizenships, ""], citizenship),
            "residence_status": _pick(RESIDENCE, persons.residence),
            "district": _pick(self.district_codes, households.district[persons.household]),
            "mother_id": pid.gather(mother),
            "father_id": pid.gather(father),
            "has_mother": persons.mother >= 0,
            "has_father": persons.father >= 0,
            "preferred_language": _pick(self.profile.languages, language),
            "phone": prefixes + phone_number,
            "has_phone": has_phone,
            "has_email": has_email,
        }).with_columns(
            _date("birth_date"),
            _date("death_date"),
            pl.when(pl.col("has_mother")).then(pl.col("mother_id")).alias("mother_id"),
            pl.when(pl.col("has_father")).then(pl.col("father_id")).alias("father_id"),
            pl.when(pl.col("has_phone")).then(pl.col("phone")).alias("phone"),
            pl.when(pl.col("has_email"))
            .then(pl.format("p{}@mail.{}", pl.col("personal_id").str.to_lowercase(),
                            pl.lit(country)))
            .alias("email"),
        )

        tables["households"] = pl.DataFrame({
            "reference": references,
            "district": _pick(self.district_codes, households.district),
            "address": _address(country, pools.streets, households.street, households.house,
                                households.flat),
            "created_on": households.created,
        }).with_columns(_date("created_on"))

        tables["memberships"] = pl.DataFrame({
            "household": references.gather(persons.household),
            "personal_id": pid,
            "role": _pick(ROLES, persons.role),
            "joined_on": persons.joined,
            "left_on": persons.death,
        }).with_columns(_date("joined_on"), _date("left_on"))

        incomes = frames["incomes"]
        tables["incomes"] = pl.DataFrame({
            "personal_id": pid.gather(incomes["person"]),
            "month": _pick(MONTHS, incomes["month"].to_numpy() - FIRST_MONTH_INDEX),
            "type": _pick(INCOME_TYPES, incomes["type"].to_numpy()),
            "amount": incomes["amount"],
        })

        contracts = frames["contracts"]
        employer = contracts["employer"].to_numpy()
        tables["contracts"] = pl.DataFrame({
            "personal_id": pid.gather(contracts["person"]),
            "employer_name": _pick(pools.employers, employer),
            "employer_tax_id": _pick(self.employer_tax_ids, employer),
            "start_date": contracts["start_date"],
            "end_date": contracts["end_date"],
            "termination_reason": contracts["termination_reason"],
            "monthly_wage": contracts["monthly_wage"],
        }).with_columns(_date("start_date"), _date("end_date"),
                        _vocabulary("termination_reason", TERMINATION_REASONS))

        insurance = frames["insurance"]
        tables["insurance"] = pl.DataFrame({
            "personal_id": pid.gather(insurance["person"]),
            "as_of": insurance["as_of"],
            "record_months": insurance["record_months"],
            "pension_capital": insurance["pension_capital"],
        }).with_columns(_date("as_of"))

        disabilities = frames["disabilities"]
        tables["disabilities"] = pl.DataFrame({
            "personal_id": pid.gather(disabilities["person"]),
            "impairment_percent": disabilities["impairment_percent"],
            "group": disabilities["group"],
            "valid_from": disabilities["valid_from"],
            "valid_to": disabilities["valid_to"],
        }).with_columns(_date("valid_from"), _date("valid_to"),
                        pl.when(pl.col("group") > 0).then(pl.col("group")).alias("group"))

        vehicles = frames["vehicles"]
        tables["vehicles"] = pl.DataFrame({
            "personal_id": pid.gather(vehicles["person"]),
            "registration_number": _plates(
                country, vehicle_offset + np.arange(vehicles.height, dtype=np.int64), self.seed
            ),
            "acquired_on": vehicles["acquired_on"],
            "disposed_on": vehicles["disposed_on"],
            "value": vehicles["value"],
            "issued_for_rehabilitation": vehicles["issued_for_rehabilitation"],
        }).with_columns(_date("acquired_on"), _date("disposed_on"))

        estate = frames["real_estate"]
        estate_household = estate["household"].to_numpy()
        home = tables["households"]["address"].gather(estate_household)
        elsewhere = _address(country, pools.streets, estate["street"].to_numpy(),
                             estate["house"].to_numpy(), None)
        tables["real_estate"] = pl.DataFrame({
            "personal_id": pid.gather(estate["person"]),
            "purpose": _pick(PURPOSES, estate["purpose"].to_numpy()),
            "address": pl.select(pl.when(estate["at_home"]).then(home).otherwise(elsewhere))
            .to_series(),
            "acquired_on": estate["acquired_on"],
            "disposed_on": estate["disposed_on"],
            "value": estate["value"],
        }).with_columns(_date("acquired_on"), _date("disposed_on"))

        utilities = frames["utilities"]
        tables["utilities"] = pl.DataFrame({
            "household": references.gather(utilities["household"]),
            "month": _pick(MONTHS, utilities["month"].to_numpy() - FIRST_MONTH_INDEX),
            "kind": _pick(UTILITY_KINDS, utilities["kind"].to_numpy()),
            "amount": utilities["amount"],
        })

        statuses = frames["statuses"]
        tables["statuses"] = pl.DataFrame({
            "personal_id": pid.gather(statuses["person"]),
            "kind": _pick(STATUS_KINDS, statuses["kind"].to_numpy()),
            "valid_from": statuses["valid_from"],
            "valid_to": statuses["valid_to"],
        }).with_columns(_date("valid_from"), _date("valid_to"))

        offers = frames["job_offers"]
        tables["job_offers"] = pl.DataFrame({
            "personal_id": pid.gather(offers["person"]),
            "offered_on": offers["offered_on"],
            "employer_name": _pick(pools.employers, offers["employer"].to_numpy()),
            "suitable": offers["suitable"],
            "refused": offers["refused"],
        }).with_columns(_date("offered_on"))

        return {
            kind: tables[kind].select(SCHEMAS[kind].names)
            .to_arrow(compat_level=pl.CompatLevel.oldest()).cast(SCHEMAS[kind])
            for kind in KINDS
        }


class ParquetSet:
    """One open ParquetWriter per kind; every chunk appends a row group to each file."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.rows = dict.fromkeys(KINDS, 0)
        self._writers = {
            kind: pq.ParquetWriter(
                directory / f"{kind}.parquet", SCHEMAS[kind], compression="zstd",
                compression_level=1,
                use_dictionary=[
                    f.name for f in SCHEMAS[kind]
                    if f.type == S and f.name not in DISTINCT_COLUMNS
                ],
            )
            for kind in KINDS
        }

    def write(self, tables: dict[str, pa.Table]) -> None:
        for kind, table in tables.items():
            self._writers[kind].write_table(table, row_group_size=max(table.num_rows, 1))
            self.rows[kind] += table.num_rows

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()

    def __enter__(self) -> ParquetSet:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
