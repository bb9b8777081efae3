"""A report is for the moderators: the reported organisation learns that something was
handled, never who reported it or what they wrote."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import person

pytestmark = pytest.mark.django_db


def test_the_owner_never_sees_who_reported_or_why(client, owner, member, moderator, county):
    case = factories.CaseFactory(organisation=owner, published=True)
    reporter = person(factories.MunicipalityFactory(parent=county))
    reporter.first_name, reporter.last_name = "Rita", "Rapportør"
    reporter.save()
    client.force_login(reporter)
    client.post(reverse("case-report", kwargs={"slug": case.slug}), {"reason": "Hemmelig grunn"})
    report = case.reports.get()

    history = reverse("case-history", kwargs={"slug": case.slug})
    client.force_login(member)
    page = client.get(history).content.decode()
    assert "Rapportør" not in page
    assert reporter.email not in page
    assert "Hemmelig grunn" not in page

    client.force_login(moderator)
    client.post(reverse("moderation-report-resolve", kwargs={"pk": report.pk}), {})
    report.refresh_from_db()
    assert report.resolved_at is not None

    client.force_login(member)
    page = client.get(history).content.decode()
    assert "Rapportør" not in page
    assert reporter.email not in page
    assert "Hemmelig grunn" not in page
    assert case.events.get().kind == "report-handled"
    assert case.events.get().actor is None
