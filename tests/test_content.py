"""One definition of a case's content: the editor, the API and the admin refuse the same text
with the same message, and write nothing."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.content import LONG_TEXT
from cases.models import Case, CaseRevision
from tests import factories
from tests.api_helpers import invalid
from tests.conftest import person
from tests.test_admin import _form_data
from tests.test_moderation_pages import edit_data

pytestmark = pytest.mark.django_db

TOO_LONG = "a" * 60_000


@pytest.fixture
def case(owner):
    return factories.CaseFactory(organisation=owner, published=True, problem="Kort.")


def unchanged(case: Case) -> None:
    case.refresh_from_db()
    assert case.problem == "Kort."
    assert not CaseRevision.objects.filter(case=case).exists()


def test_a_60000_character_problem_is_refused_alike_at_every_door(client, case, owner):
    editor = person(owner)
    messages = {}

    client.force_login(editor)
    response = client.post(
        reverse("case-edit", kwargs={"slug": case.slug}), edit_data(case, problem=TOO_LONG)
    )
    assert response.status_code == 200
    messages["editor"] = response.context["form"].errors["problem"]
    unchanged(case)

    _token, key = services.api_token_create(user=editor, name="Skript")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"problem": TOO_LONG}, format="json")
    messages["api"] = invalid(response)["problem"]
    unchanged(case)

    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:cases_case_change", args=[quote(case.pk)])
    data = _form_data(client.get(url))
    data["problem"] = TOO_LONG
    response = client.post(url, data)
    assert response.status_code == 200
    messages["admin"] = response.context["adminform"].form.errors["problem"]
    unchanged(case)

    assert messages["editor"] == messages["api"] == messages["admin"]
    assert str(LONG_TEXT // 1000) in messages["editor"][0]
