"""Finding a person: exactly by personal ID, or by name whatever the spelling.

By name, the database is asked only for a bounded candidate set that an index serves in order,
and rapidfuzz ranks those candidates on spelling-independent keys (`names.name_key`):

- PostgreSQL: the surnames (and first names) folded in SQL (PG_SURNAME_KEY) are kept once each
  in a small table with a trigram index (migration 0002, maintained by triggers). The few
  keys most similar to the query's (pg_trgm `similarity`) are found there, and the persons
  bearing them are read from a B-tree on the folded (surname, first name) in key order: an
  equality per key or pair of keys, however many people share a surname.
- Other databases (SQLite): B-tree range scans on the (last_name, first_name) index for every
  way the registry can spell the first letters of the surname (`names.stored_prefixes`), with
  the first name's first letter as a further filter when one is given.

Either way at most CANDIDATES_MAX rows come back, so a search costs the same on a 1M-person
registry as on a small one; persons are never all loaded. A common surname alone fills the
candidate set: the page says so and asks for the first name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from dost.backoffice.names import name_key, stored_prefixes
from dost.registry.models import Person
from dost.registry.national_id import validate_personal_id

CANDIDATES_MAX = 200
# PostgreSQL: how many folded surnames and first names spelt like the query's are looked up
# (a pair of keys is one index probe: at most 20 × 50 of them).
SURNAME_KEYS_MAX = 20
FIRST_KEYS_MAX = 50
RESULTS_MAX = 50
SCORE_MIN = 80.0
# The highest code point: a prefix range "abc" <= name < "abc" + TOP holds every name starting
# with "abc" under binary collation (SQLite's default).
TOP = "\U0010ffff"
RESULT_FIELDS = ("id", "country", "personal_id", "last_name", "first_name", "patronymic",
                 "birth_date", "death_date", "sex")

# The surname folded in SQL the way `pg_query` folds the query: lower-case, Uzbek digraphs to one
# letter, Azerbaijani letters to plain ones. Only IMMUTABLE functions, so it can be indexed.
PG_SURNAME_KEY = (
    "translate(replace(replace(replace(lower(last_name), 'ch', 'ç'), 'sh', 'ş'), 'kh', 'x'), "
    # Letters past the end of the second list are deleted: the Uzbek ʻ, the apostrophe and the
    # combining dot that lower('İ') leaves.
    "'əeıöüşçcxqğʻ''\u0307', 'aaiousçjhkg')"
)
PG_FIRST_KEY = PG_SURNAME_KEY.replace("last_name", "first_name")


@dataclass(frozen=True)
class Hit:
    person: Person
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    # The candidate set was cut at CANDIDATES_MAX: the user should narrow the search.
    truncated: bool = False


def looks_like_personal_id(query: str) -> bool:
    text = query.strip()
    return " " not in text and any(ch.isdigit() for ch in text) and len(text) in (7, 14)


def personal_id_error(query: str) -> ValidationError | None:
    """None if the query is a valid FIN or PINFL, else the error for the format it resembles."""
    text = query.strip().upper()
    country = "uz" if text.isdigit() and len(text) == 14 else "az"
    try:
        validate_personal_id(text, country)
    except ValidationError as error:
        return error
    return None


def person_search_by_id(personal_id: str) -> SearchResult:
    people = Person.objects.only(*RESULT_FIELDS).filter(personal_id=personal_id.strip().upper())
    return SearchResult(hits=[Hit(person=p, score=100.0) for p in people])


def _prefix_ranges(field: str, prefixes: list[str]) -> Q:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + TOP})
    return condition


def _candidates_by_prefix(tokens: list[str]) -> QuerySet[Person]:
    surname = _prefix_ranges("last_name", stored_prefixes(tokens[0]))
    if len(tokens) > 1:
        surname &= _prefix_ranges("first_name", stored_prefixes(tokens[1], length=1))
    return Person.objects.only(*RESULT_FIELDS).filter(surname).order_by("last_name", "first_name")


def pg_query(token: str) -> str:
    """A `name_key` token in the space of PG_SURNAME_KEY, where ç is kept apart from c/j."""
    return token.replace("c", "ç")


# The folded names spelt like a query token (or beginning with it: "Mammadov El"), best first,
# from the table of distinct keys; both conditions are served by its trigram index. A token
# holds only letters (`name_key`), so it needs no escaping in the LIKE pattern.
_PG_KEYS = """
    SELECT key, similarity(key, %s) AS sim FROM backoffice_name_key
    WHERE part = %s AND (key %% %s OR key LIKE %s || '%%') ORDER BY sim DESC, key LIMIT %s
"""
_PG_FIELDS = ", ".join(f"p.{field}" for field in RESULT_FIELDS)


def _candidates_by_keys(tokens: list[str], cap: int) -> list[Person]:
    """Persons whose folded surname (and first name, when given) is one of the keys spelt most
    like the query's, best keys first, at most `cap`: each key or pair of keys is an
    equality on the B-tree of migration 0002, read in index order, so the cost does not grow
    with how many people share a surname."""
    surname = pg_query(tokens[0])
    params: list[object] = [surname, "l", surname, surname, SURNAME_KEYS_MAX]
    if len(tokens) > 1:
        first = pg_query(tokens[1])
        params += [first, "f", first, first, FIRST_KEYS_MAX]
        keys = f"({_PG_KEYS}) s CROSS JOIN ({_PG_KEYS}) f"
        match = f"{PG_SURNAME_KEY} = s.key AND {PG_FIRST_KEY} = f.key"
        within, rank = "id", "s.sim + f.sim DESC, s.key, f.key"
    else:
        keys = f"({_PG_KEYS}) s"
        match = f"{PG_SURNAME_KEY} = s.key"
        within, rank = f"{PG_FIRST_KEY}, id", "s.sim DESC, s.key"
    sql = f"""
        SELECT {_PG_FIELDS} FROM {keys} CROSS JOIN LATERAL (
            SELECT {", ".join(RESULT_FIELDS)}, {PG_FIRST_KEY} AS first_key
            FROM registry_person WHERE {match} ORDER BY {within} LIMIT %s) p
        ORDER BY {rank}, p.first_key, p.id LIMIT %s
    """  # noqa: S608 - only the constant expressions above are formatted in
    return list(Person.objects.raw(sql, [*params, cap, cap]))


def _full_key(person: Person, parts: int) -> str:
    names = (person.last_name, person.first_name, person.patronymic)[: max(parts, 1)]
    return name_key(" ".join(names))


def person_search_by_name(query: str, *, limit: int = RESULTS_MAX) -> SearchResult:
    """Persons whose name is spelt like `query` ("surname [first name [patronymic]]", either of
    the first two first), best match first."""
    tokens = name_key(query).split()
    if not tokens:
        return SearchResult(hits=[])
    orders = [tokens] if len(tokens) == 1 else [tokens, [tokens[1], tokens[0], *tokens[2:]]]
    found: dict[int, Person] = {}
    truncated = False
    for order in orders:
        if connection.vendor == "postgresql":
            rows = _candidates_by_keys(order, CANDIDATES_MAX + 1)
        else:
            rows = list(_candidates_by_prefix(order)[: CANDIDATES_MAX + 1])
        truncated |= len(rows) > CANDIDATES_MAX
        found.update((p.pk, p) for p in rows[:CANDIDATES_MAX])
    hits = []
    for person in found.values():
        score = max(
            fuzz.token_sort_ratio(" ".join(order), _full_key(person, len(order)))
            for order in orders
        )
        if score >= SCORE_MIN:
            hits.append(Hit(person=person, score=score))
    hits.sort(key=lambda h: (-h.score, h.person.last_name, h.person.first_name, h.person.pk))
    return SearchResult(hits=hits[:limit], truncated=truncated)
