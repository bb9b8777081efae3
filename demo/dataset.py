"""The demo content, read from the JSON files in demo/data/; `demo.loader.seed()` writes it.

A few real counties, municipalities (2024 numbers, population 1 January 2026, SSB centrality
2024, landsdel) and other organisations, demo users, innovation cases, reuse records and spread
activities.

The organisations are real; the cases are drawn from real Norwegian innovations (mobile X-ray
for nursing homes, Vandreboka, medicine robots, vekslingsmodellen, meråpent bibliotek ...), but
their texts, people and figures are illustrative demo content, not accounts of those places.

The files, each a list of records (field name to value) or an object of such lists:
- organisations.json: counties (also the county every municipality lies in), municipalities and
  other organisations (workplaces in a municipality, agencies, research, companies). `slug` is
  the key the other files name an organisation by. Counties and municipalities are named,
  slugged and figured as `load_municipalities` does, so the database is the same whichever
  command runs first.
- people.json: one password for all, the main logins and the users. Whoever acts for an
  organisation (writes, records reuse, spreads) is its first member there; whoever confirms a
  reuse is the first editor of the case owner.
- cases_*.json: the cases, in the order they were published (a source case before its copies),
  then those not published. `status` is the state the demo leaves the case in; `review` sends
  it back once on the way. Content keys are the services' field names; partners are
  organisation slugs and source_case a case slug.
- reuse.json: reuse records (besides those recorded automatically when a case naming a source
  case is published; `confirmed_on`: the owner's editor confirmed it that day), what owners
  did to spread their cases, and questions other organisations asked the owners (answered by
  the owner's first editor on `answered_on`; null leaves it waiting).

Codes are the vocabularies' codes (cases.vocabularies). Every date is a fixed absolute date in
ISO form, so two runs, on any day, write the same history; reading turns them into dates and a
user's memberships into (organisation slug, role) pairs.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# One demo record (a county, user, case...): field name to value, as the tables write it.
Spec = dict[str, Any]

DATA = Path(__file__).resolve().parent / "data"
CASE_FILES = ["cases_2023.json", "cases_2024.json", "cases_2025.json", "cases_unpublished.json"]

TIME_ZONE = ZoneInfo("Europe/Oslo")
# When the demo organisations, users and memberships "came to the platform".
JOINED = dt.datetime(2023, 1, 9, 9, 0, tzinfo=TIME_ZONE)


def read(name: str) -> Any:
    """The content of one JSON file in demo/data/."""
    with (DATA / name).open(encoding="utf-8") as file:
        return json.load(file)


def with_dates(spec: Spec, *keys: str) -> Spec:
    """`spec` with the ISO dates under `keys` as dates (None stays None)."""
    return {
        key: dt.date.fromisoformat(value) if key in keys and value is not None else value
        for key, value in spec.items()
    }


def case_spec(record: Spec) -> Spec:
    spec = with_dates(record, "created_on", "submitted_on", "published_on")
    if "review" in spec:
        spec["review"] = with_dates(spec["review"], "requested_on", "edited_on", "resubmitted_on")
    return spec


def user_spec(record: Spec) -> Spec:
    memberships = [(m["organisation"], m["role"]) for m in record["memberships"]]
    return {**record, "memberships": memberships}


_organisations = read("organisations.json")
COUNTIES: list[Spec] = _organisations["counties"]
MUNICIPALITIES: list[Spec] = _organisations["municipalities"]
OTHER_ORGANISATIONS: list[Spec] = _organisations["others"]

_people = read("people.json")
PASSWORD: str = _people["password"]
# The main logins, printed first by the command.
ADMIN_EMAIL: str = _people["logins"]["admin"]
MODERATOR_EMAIL: str = _people["logins"]["moderator"]
EMPLOYEE_EMAIL: str = _people["logins"]["employee"]
USERS: list[Spec] = [user_spec(record) for record in _people["users"]]

CASES: list[Spec] = [case_spec(record) for name in CASE_FILES for record in read(name)]

_reuse = read("reuse.json")
ADOPTIONS: list[Spec] = [
    with_dates(record, "adopted_on", "confirmed_on") for record in _reuse["adoptions"]
]
SPREAD_ACTIVITIES: list[Spec] = [
    with_dates(record, "occurred_on") for record in _reuse["spread_activities"]
]
QUESTIONS: list[Spec] = [
    with_dates(record, "asked_on", "answered_on") for record in _reuse["questions"]
]
