from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from dost.population.coverage import az_tssa_coverage, uz_low_income_coverage
from dost.population.output import KINDS, SCHEMAS
from dost.population.services import population_generate
from dost.registry.geography import geography_read
from dost.registry.importing.kinds import KINDS as IMPORT_KINDS
from dost.registry.national_id import validate_personal_id

NOW = dt.date(2026, 11, 1)


def _age(frame: pl.DataFrame, on: dt.date = NOW) -> pl.Expr:
    return (pl.lit(on) - pl.col("birth_date")).dt.total_days() / 365.25


def test_it_writes_every_import_kind_with_the_importers_columns(az_dir):
    assert sorted(p.stem for p in az_dir.glob("*.parquet")) == sorted(KINDS)
    for kind in KINDS:
        columns = pl.read_parquet_schema(az_dir / f"{kind}.parquet")
        assert list(columns) == list(IMPORT_KINDS[kind].column_names), kind
        assert list(columns) == SCHEMAS[kind].names


def test_it_uses_only_the_documented_vocabularies(az):
    for kind, frame in az.items():
        for column in IMPORT_KINDS[kind].columns:
            if column.choices:
                used = set(frame[column.name].drop_nulls().unique().to_list())
                assert used <= set(column.choices), (kind, column.name, used)
    assert set(az["memberships"]["role"].unique()) == {"head", "spouse", "child", "parent",
                                                       "other"}
    assert set(az["incomes"]["type"].unique()) == {"wage", "pension", "benefit", "alimony",
                                                   "property", "plot", "other"}
    assert set(az["statuses"]["kind"].unique()) == {"conscript", "state_care", "imprisoned",
                                                    "wanted", "abroad", "jobseeker"}
    assert set(az["real_estate"]["purpose"].unique()) == {"residential", "land", "commercial",
                                                          "agricultural", "garage"}


def test_it_writes_exactly_the_persons_asked_for_with_unique_valid_fins(az):
    persons = az["persons"]
    assert persons.height == 20_000
    assert persons["personal_id"].n_unique() == persons.height
    for fin in persons["personal_id"].sample(500, seed=1):
        validate_personal_id(fin, "az")
    assert az["memberships"].height == persons.height
    assert az["memberships"]["personal_id"].n_unique() == persons.height


def test_it_makes_valid_unique_pinfls(uz):
    persons = uz["persons"]
    assert persons["personal_id"].n_unique() == persons.height
    for pinfl in persons["personal_id"].sample(500, seed=2):
        validate_personal_id(pinfl, "uz")
    with pytest.raises(ValidationError):
        validate_personal_id(persons["personal_id"][0][:-1] + "x", "uz")


def test_it_uses_the_countrys_district_codes_with_their_weights(az, uz):
    for country, data in (("az", az), ("uz", uz)):
        codes = {d.code for d in geography_read(country=country).districts}
        assert set(data["households"]["district"].unique()) <= codes
        assert set(data["persons"]["district"].unique()) <= codes
    baku = az["households"].filter(pl.col("district").str.starts_with("AZ-BA-")).height
    assert 0.15 < baku / az["households"].height < 0.35


def test_it_has_a_plausible_age_pyramid_and_household_sizes(az, uz):
    for data, mean_size in ((az, (3.8, 4.6)), (uz, (4.4, 5.3))):
        persons = data["persons"].with_columns(age=_age(data["persons"]))
        children = persons.filter(pl.col("age") < 15).height / persons.height
        elderly = persons.filter(pl.col("age") >= 65).height / persons.height
        assert 0.18 < children < 0.36
        assert 0.04 < elderly < 0.12
        sizes = data["memberships"].group_by("household").len()["len"]
        assert mean_size[0] < sizes.mean() < mean_size[1]
        assert sizes.min() == 1


def test_it_records_births_in_2026_and_deaths(az):
    persons = az["persons"]
    born = persons.filter(pl.col("birth_date") >= dt.date(2026, 1, 1)).height / persons.height
    assert 0.005 < born < 0.02
    assert persons.filter(pl.col("birth_date") > dt.date(2026, 11, 15)).is_empty()
    dead = persons.filter(pl.col("death_date").is_not_null())
    assert 0.002 < dead.height / persons.height < 0.03
    left = az["memberships"].filter(pl.col("left_on").is_not_null())
    assert set(left["personal_id"]) == set(dead["personal_id"])


def test_it_links_parents_within_the_household(az):
    persons = az["persons"]
    household = dict(zip(az["memberships"]["personal_id"], az["memberships"]["household"],
                         strict=True))
    sex = dict(zip(persons["personal_id"], persons["sex"], strict=True))
    birth = dict(zip(persons["personal_id"], persons["birth_date"], strict=True))
    with_mother = persons.filter(pl.col("mother_id").is_not_null())
    assert with_mother.height > persons.height * 0.2
    for child, mother in zip(with_mother["personal_id"], with_mother["mother_id"], strict=True):
        assert household[child] == household[mother]
        assert sex[mother] == "F"
        assert (birth[child] - birth[mother]).days > 15 * 365
    fathers = persons["father_id"].drop_nulls()
    assert set(fathers.map_elements(sex.get, return_dtype=pl.String)) == {"M"}


def test_it_generates_incomes_for_every_month_of_2025_and_2026_without_duplicates(az):
    incomes = az["incomes"]
    months = sorted(incomes["month"].unique())
    assert months == [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    assert incomes.select(pl.struct("personal_id", "month", "type").is_duplicated().any()).item() \
        is False
    assert (incomes["amount"] > 0).all()
    assert (incomes["amount"] == incomes["amount"].round(2)).all()


def test_it_pays_wages_only_under_a_contract_and_at_its_wage(az):
    wages = az["incomes"].filter(pl.col("type") == "wage").with_columns(
        first=(pl.col("month") + "-01").str.to_date()
    )
    contracts = az["contracts"]
    assert (contracts["monthly_wage"] >= 400).all()
    joined = wages.join(contracts, on="personal_id").filter(
        (pl.col("start_date") <= pl.col("first").dt.month_end())
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("first")))
        & (pl.col("amount") == pl.col("monthly_wage"))
    )
    assert joined.select(pl.struct("personal_id", "month").n_unique()).item() == wages.height
    mean_2025 = wages.filter(pl.col("month").str.starts_with("2025"))["amount"].mean()
    assert 800 < mean_2025 < 1300
    assert contracts["end_date"].is_not_null().sum() > 0
    assert {"redundancy", "retirement", "death"} <= set(contracts["termination_reason"])


def test_it_pays_old_age_pensions_from_the_retirement_age(az, uz):
    for data, men, women in ((az, 65, 65), (uz, 60, 55)):
        persons = data["persons"].with_columns(age=_age(data["persons"]))
        pension_in_oct = set(data["incomes"].filter(
            (pl.col("type") == "pension") & (pl.col("month") == "2026-10")
        )["personal_id"])
        old = persons.filter(
            pl.col("death_date").is_null()
            & (((pl.col("sex") == "M") & (pl.col("age") >= men + 0.2))
               | ((pl.col("sex") == "F") & (pl.col("age") >= women + 0.2)))
        )
        share = sum(p in pension_in_oct for p in old["personal_id"]) / old.height
        assert share > 0.85
        young = persons.filter(pl.col("age") < 40)["personal_id"]
        # Below the retirement age only disability pensions are paid.
        disabled = set(data["disabilities"]["personal_id"])
        assert all(p in disabled for p in young if p in pension_in_oct)


def test_it_raises_the_womens_retirement_age_in_azerbaijan_mid_2026():
    from dost.population.profiles import AZ

    assert AZ.women_retirement_months == 774
    assert AZ.women_retirement_months_later == 780
    assert AZ.women_retirement_change == (2026, 7)


def test_it_records_about_six_percent_with_a_disability_in_bands(az):
    disabilities = az["disabilities"]
    valid = disabilities.filter(
        (pl.col("valid_from") <= NOW) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > NOW))
    )
    assert 0.045 < valid.height / az["persons"].height < 0.075
    bands = disabilities.filter(pl.col("group").is_not_null())
    assert bands.filter((pl.col("group") == 1) & (pl.col("impairment_percent") < 81)).is_empty()
    assert bands.filter((pl.col("group") == 3) & (pl.col("impairment_percent") > 60)).is_empty()
    assert disabilities.filter(pl.col("group").is_null()).height > 0


def test_it_records_exclusion_statuses_jobseekers_and_rare_refusals(az):
    statuses = az["statuses"]
    persons = az["persons"].with_columns(age=_age(az["persons"]))
    conscripts = statuses.filter(pl.col("kind") == "conscript").join(persons, on="personal_id")
    assert conscripts.height > 0
    assert set(conscripts["sex"]) == {"M"}
    assert conscripts["age"].max() < 21.5
    counts = dict(statuses.group_by("kind").len().iter_rows())
    assert counts["imprisoned"] > 0 and counts["abroad"] > 0 and counts["jobseeker"] > 0
    offers = az["job_offers"]
    assert offers.select(pl.struct("personal_id", "offered_on").is_duplicated().any()).item() \
        is False
    refused = offers.filter(pl.col("refused") & pl.col("suitable"))
    assert 0 < refused.height < offers.height * 0.3
    assert set(offers["personal_id"]) <= set(
        statuses.filter(pl.col("kind") == "jobseeker")["personal_id"]
    )


def test_it_gives_vehicles_to_a_fifth_of_households_and_some_for_rehabilitation(az):
    vehicles = az["vehicles"]
    households = az["memberships"].select("household", "personal_id")
    owning = vehicles.filter(~pl.col("issued_for_rehabilitation")).join(
        households, on="personal_id")["household"].n_unique()
    assert 0.12 < owning / az["households"].height < 0.28
    rehab = vehicles.filter(pl.col("issued_for_rehabilitation"))
    assert rehab.height > 0
    assert set(rehab["personal_id"]) <= set(az["disabilities"]["personal_id"])
    assert vehicles["registration_number"].n_unique() == vehicles.height


def test_it_gives_most_households_one_home_and_a_few_two_of_a_kind(az):
    estate = az["real_estate"].join(az["memberships"].select("household", "personal_id"),
                                    on="personal_id")
    per_household = estate.group_by("household", "purpose").agg(
        pl.col("address").n_unique().alias("units"))
    homes = per_household.filter(pl.col("purpose") == "residential")
    assert 0.8 < homes.height / az["households"].height < 0.97
    two = per_household.filter(pl.col("units") >= 2)["household"].n_unique()
    assert 0 < two / az["households"].height < 0.05


def test_it_records_utility_and_communication_spending(az):
    utilities = az["utilities"]
    assert set(utilities["kind"]) == {"electricity", "gas", "water", "communication"}
    assert utilities.select(pl.struct("household", "month", "kind").is_duplicated().any()).item() \
        is False
    assert utilities["month"].max() == "2026-10"
    monthly = utilities.group_by("household", "month").agg(pl.col("amount").sum())["amount"]
    assert 20 < monthly.mean() < 150


def test_it_keeps_every_date_range_in_order(az):
    checks = [
        ("memberships", "joined_on", "left_on"),
        ("contracts", "start_date", "end_date"),
        ("disabilities", "valid_from", "valid_to"),
        ("vehicles", "acquired_on", "disposed_on"),
        ("real_estate", "acquired_on", "disposed_on"),
        ("statuses", "valid_from", "valid_to"),
    ]
    for kind, start, end in checks:
        assert az[kind].filter(pl.col(end) < pl.col(start)).is_empty(), kind


def test_it_puts_azerbaijans_tssa_coverage_in_the_low_single_digits(az_dir):
    coverage = az_tssa_coverage(az_dir)
    assert coverage.households > 4000
    assert 0.01 <= coverage.share <= 0.05
    # The refusal grounds do refuse some who pass the income test.
    assert coverage.income_test_passed > coverage.eligible


def test_it_puts_uzbekistans_low_income_share_under_ten_percent(uz_dir):
    coverage = uz_low_income_coverage(uz_dir)
    assert 0.02 <= coverage.share <= 0.10


def test_it_writes_identical_files_for_the_same_seed(tmp_path: Path):
    def digest(directory: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(directory.glob("*.parquet"))}

    for name in ("a", "b"):
        population_generate(country="uz", persons=1_500, output=tmp_path / name, seed=7,
                            chunk_persons=600)
    population_generate(country="uz", persons=1_500, output=tmp_path / "c", seed=8,
                        chunk_persons=600)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["persons.parquet"] != digest(tmp_path / "c")["persons.parquet"]


def test_it_refuses_an_unknown_country_and_no_persons(tmp_path: Path):
    with pytest.raises(ValueError, match="az or uz"):
        population_generate(country="kz", persons=10, output=tmp_path)
    with pytest.raises(ValueError, match="at least one"):
        population_generate(country="az", persons=0, output=tmp_path)


def test_it_reports_progress_up_to_the_persons_asked_for(tmp_path: Path):
    seen: list[int] = []
    result = population_generate(country="az", persons=2_500, output=tmp_path, chunk_persons=1_000,
                                 on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 2_500
    assert len(seen) > 3
    assert result.households == pl.read_parquet(tmp_path / "households.parquet").height
    assert result.rows["persons"] == 2_500
