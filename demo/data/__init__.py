"""The demo content, as data; `demo.loader.seed()` writes it.

A few real counties, municipalities (2024 numbers, population 1 January 2026, SSB centrality
2024, landsdel) and other organisations, demo users, innovation cases, reuse records and spread
activities.

The organisations are real; the cases are drawn from real Norwegian innovations (mobile X-ray
for nursing homes, Vandreboka, medicine robots, vekslingsmodellen, meråpent bibliotek ...), but
their texts, people and figures are illustrative demo content, not accounts of those places.

Every date is a fixed absolute date, so two runs, on any day, write the same history.
"""

from . import cases_2023, cases_2024, cases_2025, cases_unpublished
from .organisations import COUNTIES, MUNICIPALITIES, OTHER_ORGANISATIONS
from .people import ADMIN_EMAIL, EMPLOYEE_EMAIL, MODERATOR_EMAIL, PASSWORD, USERS
from .records import JOINED, TIME_ZONE, Spec
from .reuse import ADOPTIONS, SPREAD_ACTIVITIES

# Cases, in the order they were published (a source case is published before its copies), then
# those not published. `status` is the state the demo leaves the case in; `review` sends it back
# once on the way. Content keys are the services' field names; partners are organisation slugs
# and source_case a case slug.
CASES: list[Spec] = [
    *cases_2023.CASES,
    *cases_2024.CASES,
    *cases_2025.CASES,
    *cases_unpublished.CASES,
]

__all__ = [
    "ADMIN_EMAIL",
    "ADOPTIONS",
    "CASES",
    "COUNTIES",
    "EMPLOYEE_EMAIL",
    "JOINED",
    "MODERATOR_EMAIL",
    "MUNICIPALITIES",
    "OTHER_ORGANISATIONS",
    "PASSWORD",
    "SPREAD_ACTIVITIES",
    "TIME_ZONE",
    "USERS",
    "Spec",
]
