"""Generate a synthetic AZ- or UZ-like population as bulk-import Parquet files.

`population_generate` works in chunks of whole households (`CHUNK_PERSONS` persons each), so
memory stays flat however many persons are asked for; each chunk draws from its own random
stream derived from (seed, chunk number), so the same seed and size give identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext_lazy as _

from dost.population.assets import generate_assets
from dost.population.demography import generate_people
from dost.population.economy import generate_economy
from dost.population.identifiers import PinflSerials, fins, pinfls
from dost.population.names import name_pools
from dost.population.output import KINDS, ChunkTables, ParquetSet
from dost.population.profiles import PROFILES
from dost.registry.geography import geography_read

CHUNK_PERSONS = 500_000
DEFAULT_SEED = 20261115

UNKNOWN_COUNTRY = _("Unknown country: use az or uz.")
TOO_FEW_PERSONS = _("Ask for at least one person.")
TOO_MANY_PERSONS = _("At most 100,000,000 persons can be generated in one run.")


@dataclass
class GenerationResult:
    directory: Path
    country: str
    persons: int
    households: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        return [self.directory / f"{kind}.parquet" for kind in KINDS]


def default_output(*, country: str, persons: int) -> Path:
    """Where a run is written unless told otherwise, relative to the data directory (var/)."""
    return Path("population") / f"{country}-{persons}"


def population_generate(
    *,
    country: str,
    persons: int,
    output: Path,
    seed: int = DEFAULT_SEED,
    chunk_persons: int = CHUNK_PERSONS,
    on_progress: Callable[[int], None] | None = None,
) -> GenerationResult:
    """Write `persons` synthetic persons with households and facts to Parquet files in `output`.

    `on_progress` is called with the number of persons done so far (by stage within a chunk;
    `persons` once the last file is complete).
    """
    if country not in PROFILES:
        raise ValueError(str(UNKNOWN_COUNTRY))
    if persons < 1:
        raise ValueError(str(TOO_FEW_PERSONS))
    if persons > 100_000_000:
        raise ValueError(str(TOO_MANY_PERSONS))
    profile = PROFILES[country]
    geography = geography_read(country=country)
    pools = name_pools(country)
    builder = ChunkTables(profile=profile, geography=geography, pools=pools, seed=seed)
    soato = np.array(
        [geography.region_of(d.code).soato for d in geography.districts], dtype=np.int64
    )
    serials = PinflSerials()

    def report(persons_done: float) -> None:
        if on_progress is not None:
            on_progress(int(persons_done))

    household_offset = 0
    vehicle_offset = 0
    done = 0
    # Writing a chunk (Parquet encoding, compression: Arrow releases the GIL) overlaps with
    # generating the next one; waiting for the previous write first keeps at most two chunks in
    # memory.
    pending: Future[None] | None = None
    with ParquetSet(output) as files, ThreadPoolExecutor(max_workers=1) as writer:
        for chunk, start in enumerate(range(0, persons, chunk_persons)):
            size = min(chunk_persons, persons - start)
            rng = np.random.default_rng(np.random.SeedSequence([seed, chunk]))
            households, people = generate_people(
                rng=rng, profile=profile, geography=geography, persons=size,
                person_offset=start, household_offset=household_offset,
                surname_count=len(pools.last_male), first_male_count=len(pools.first_male),
                first_female_count=len(pools.first_female), street_count=len(pools.streets),
            )
            report(start + size * 0.1)
            economy = generate_economy(
                rng=rng, profile=profile, households=households, persons=people,
                employer_count=len(pools.employers),
            )
            report(start + size * 0.5)
            assets = generate_assets(
                rng=rng, profile=profile, households=households, persons=people,
                household_income_12m=economy.household_income_12m,
                disability_group_now=economy.disability_group_now,
            )
            if country == "az":
                personal_ids = fins(people.global_index, seed=seed)
            else:
                personal_ids = pinfls(
                    birth_days=people.birth, male=people.male,
                    office=soato[households.district[people.household]], serials=serials,
                )
            frames = {**economy.frames, **assets.frames}
            report(start + size * 0.6)
            tables = builder.build(
                rng=rng, households=households, persons=people, personal_ids=personal_ids,
                frames=frames, vehicle_offset=vehicle_offset,
            )
            del households, people, economy, assets, frames
            report(start + size * 0.9)
            if pending is not None:
                pending.result()
            pending = writer.submit(files.write, tables)
            household_offset += tables["households"].num_rows
            vehicle_offset += tables["vehicles"].num_rows
            done += size
        if pending is not None:
            pending.result()
        report(done)
        rows = dict(files.rows)
    return GenerationResult(
        directory=output, country=country, persons=persons, households=household_offset,
        seed=seed, rows=rows,
    )
