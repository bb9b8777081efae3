"""A case others cannot see cannot be confirmed to exist, by its slug or by its 404.

A case titled like another organisation's hidden draft got the slug suffix `-2`, and the 404 of
a hidden case did more work than that of a missing one. Now a case keeps a provisional slug (its
title and a random part) until it is first published, when it gets its lasting slug from the
slugs of cases that were published once; and a case page looks the case up among those the
visitor may see, in the same queries whether the slug is hidden or unknown.
"""

import importlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.services.content import is_provisional
from cases.vocabularies import CaseStatus
from tests import factories
from tests.conftest import person

pytestmark = pytest.mark.django_db

FIELDS = {
    "summary": "Et sammendrag.",
    "problem": "Problemet.",
    "solution": "Løsningen.",
    "sectors": ["health-care"],
    "innovation_types": ["service"],
    "stage": "pilot",
}


def _written(organisation, title: str) -> Case:
    author = person(organisation)
    return services.case_create(
        actor=author, organisation=organisation, data={"title": title, **FIELDS}
    )


def _published(case: Case, moderator) -> Case:
    author = case.created_by
    services.case_submit(actor=author, case=case)
    return factories.approve_case(moderator, case)


def test_a_title_like_a_hidden_draft_tells_nothing(moderator):
    hidden = _written(factories.MunicipalityFactory(), "Hemmelig prosjekt")
    mine = _written(factories.MunicipalityFactory(), "Hemmelig prosjekt")
    alone = _written(factories.MunicipalityFactory(), "Et prosjekt ingen andre har")
    # Provisional slugs are the title and a random part, whoever else wrote what.
    for case, title in ((hidden, "hemmelig-prosjekt"), (mine, "hemmelig-prosjekt")):
        assert is_provisional(case.slug)
        assert re.fullmatch(title + r"--[0-9a-f]{10}", case.slug)
    assert re.fullmatch(r"et-prosjekt-ingen-andre-har--[0-9a-f]{10}", alone.slug)
    assert hidden.slug != mine.slug
    # Published, it takes the plain slug: the hidden draft holds none.
    assert _published(mine, moderator).slug == "hemmelig-prosjekt"
    assert is_provisional(Case.all_objects.get(pk=hidden.pk).slug)


def test_a_link_from_the_draft_leads_to_the_published_case(client, moderator):
    draft = _written(factories.MunicipalityFactory(), "Digitalt nattilsyn")
    provisional = draft.slug
    author = Client()
    author.force_login(draft.created_by)
    assert author.get(f"/saker/{provisional}/").status_code == 200
    published = _published(draft, moderator)
    assert published.slug == "digitalt-nattilsyn"
    for visitor in (author, client):
        moved = visitor.get(f"/saker/{provisional}/?fra=epost")
        assert moved.status_code == 301
        assert moved["Location"] == "/saker/digitalt-nattilsyn/?fra=epost"
    moved = author.get(f"/saker/{provisional}/historikk/")
    assert (moved.status_code, moved["Location"]) == (301, "/saker/digitalt-nattilsyn/historikk/")
    # A form sent to the old address is not sent on.
    assert author.post(f"/saker/{provisional}/arkiver/").status_code == 404
    # Out of public view again, its old address tells the public nothing.
    services.case_archive(actor=moderator, case=published, reason="Utgått.")
    assert client.get(f"/saker/{provisional}/").status_code == 404


def test_published_slugs_are_lasting_and_unique(moderator):
    first = _published(_written(factories.MunicipalityFactory(), "Samme tittel"), moderator)
    second = _published(_written(factories.MunicipalityFactory(), "Samme tittel"), moderator)
    assert (first.slug, second.slug) == ("samme-tittel", "samme-tittel-2")
    # The lasting slug comes from the title at publication, and stays through later changes.
    draft = _written(factories.MunicipalityFactory(), "Arbeidstittel")
    services.case_update(actor=draft.created_by, case=draft, data={"title": "Endelig tittel"})
    draft = _published(Case.objects.get(pk=draft.pk), moderator)
    assert draft.slug == "endelig-tittel"
    services.case_archive(actor=moderator, case=draft, reason="Utgått.")
    services.case_restore(actor=moderator, case=Case.objects.get(pk=draft.pk))
    services.case_update(
        actor=draft.created_by, case=Case.objects.get(pk=draft.pk), data={"title": "Ny tittel"}
    )
    assert Case.objects.get(pk=draft.pk).slug == "endelig-tittel"
    response = Client().get(reverse("case-detail", kwargs={"slug": "endelig-tittel"}))
    assert response.status_code == 200


def test_drafts_from_before_get_provisional_slugs():
    migration = importlib.import_module("cases.migrations.0011_provisional_slugs")
    draft = factories.CaseFactory(title="Gammelt utkast", slug="gammelt-utkast")
    archived = factories.CaseFactory(
        slug="var-publisert", published=True, status=CaseStatus.ARCHIVED
    )
    migration.make_unpublished_slugs_provisional(Case)
    draft.refresh_from_db()
    archived.refresh_from_db()
    assert is_provisional(draft.slug)
    assert draft.slug.startswith("gammelt-utkast--")
    assert archived.slug == "var-publisert"


TIMESTAMP = re.compile(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[.\d]*(?:\+00:00)?'")


def _queries(client, url, **headers) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 404
    # The session's expiry test carries the time of the request; the rest must be the same.
    return len(captured), [TIMESTAMP.sub("<now>", query["sql"]) for query in captured]


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("anonymous", "case-detail"),
        ("anonymous", "case-adopters"),
        ("outsider", "case-detail"),
        ("outsider", "case-history"),
        ("outsider", "case-adopters"),
        ("outsider", "case-edit"),
    ],
)
def test_a_hidden_case_costs_what_a_missing_one_costs(
    client, django_assert_num_queries, name, who, outsider
):
    hidden = factories.CaseFactory(slug="hemmelig-sak", status=CaseStatus.SUBMITTED)
    if who == "outsider":
        client.force_login(outsider)
    missing_count, missing_sql = _queries(client, reverse(name, kwargs={"slug": "finnes-ikke-sak"}))
    with django_assert_num_queries(missing_count):
        _hidden_count, hidden_sql = _queries(client, reverse(name, kwargs={"slug": hidden.slug}))
    assert hidden_sql == [sql.replace("finnes-ikke-sak", "hemmelig-sak") for sql in missing_sql]


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_a_hidden_case_in_rdf_costs_what_a_missing_one_costs(
    client, django_assert_num_queries, who, accept, outsider
):
    hidden = factories.CaseFactory(slug="hemmelig-sak", status=CaseStatus.SUBMITTED)
    if who == "outsider":
        client.force_login(outsider)
    missing = reverse("case-detail", kwargs={"slug": "finnes-ikke-sak"})
    missing_count, missing_sql = _queries(client, missing, HTTP_ACCEPT=accept)
    with django_assert_num_queries(missing_count):
        _hidden_count, hidden_sql = _queries(
            client, reverse("case-detail", kwargs={"slug": hidden.slug}), HTTP_ACCEPT=accept
        )
    assert hidden_sql == [sql.replace("finnes-ikke-sak", "hemmelig-sak") for sql in missing_sql]
