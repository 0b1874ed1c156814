"""Generated populations shared by the tests of a module: generation is the slow part."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dost.population.output import KINDS
from dost.population.services import population_generate

# Small enough for seconds per test file, large enough for shares to be stable (~4,800 AZ
# households: the TSSA share's sampling error is about ±0.3 points).
AZ_PERSONS = 20_000
UZ_PERSONS = 20_000


def _generate(root: Path, country: str, persons: int) -> Path:
    directory = root / f"{country}-{persons}"
    # Several chunks, so the tests also cover what crosses chunk boundaries.
    population_generate(country=country, persons=persons, output=directory,
                        chunk_persons=persons // 3)
    return directory


@pytest.fixture(scope="session")
def az_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("population"), "az", AZ_PERSONS)


@pytest.fixture(scope="session")
def uz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("population"), "uz", UZ_PERSONS)


@pytest.fixture(scope="session")
def az(az_dir: Path) -> dict[str, pl.DataFrame]:
    return {kind: pl.read_parquet(az_dir / f"{kind}.parquet") for kind in KINDS}


@pytest.fixture(scope="session")
def uz(uz_dir: Path) -> dict[str, pl.DataFrame]:
    return {kind: pl.read_parquet(uz_dir / f"{kind}.parquet") for kind in KINDS}
