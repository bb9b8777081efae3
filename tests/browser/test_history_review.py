"""The history and the moderator's review with changes to show, in a browser at 375 and 1280 px:
axe-core finds no violation, and nothing scrolls sideways on a phone. (The wording and the
marks are tested in tests/test_history_review.py; every page's keyboard walk in test_pages.py.)
"""

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from demo import dataset as demo_data

from .checks import axe_violations, reflow_problems

pytestmark = pytest.mark.browser


def _edit_mobile_x_ray() -> int:
    """An edit of the Oslo case waiting for review: a text, a list and a partner changed."""
    from cases import services
    from cases.models import Case, Organisation, User

    case = Case.objects.get(slug="mobil-rontgen")
    snapshot = services.case_snapshot(case)
    partner = Organisation.objects.exclude(pk=case.organisation_id).exclude(
        pk__in=snapshot["partners"]
    )[0]
    revision = services.case_update(
        actor=User.objects.get(email=demo_data.EMPLOYEE_EMAIL),
        case=case,
        data={
            "summary": snapshot["summary"] + " Nå også i hjemmetjenesten.",
            "tags": [*snapshot["tags"][1:], "hjemmetjenesten"],
            "links": [*snapshot["links"], {"url": "https://www.ks.no/", "title": "KS"}],
            "partners": [*snapshot["partners"], partner.pk],
        },
    )
    return revision.pk


@pytest.mark.parametrize("width", [375, 1280])
def test_history_and_reviews_pass_axe(open_page, demo, width):
    from cases.models import User

    revision = _edit_mobile_x_ray()
    pages = [
        (demo_data.EMPLOYEE_EMAIL, "/saker/mobil-rontgen/historikk/", ".history-changes ins"),
        (demo_data.MODERATOR_EMAIL, f"/moderering/endringer/{revision}/", ".change-badge"),
        (
            demo_data.MODERATOR_EMAIL,
            "/moderering/saker/chatbot-for-innbyggersporsmal/",
            ".review-fields",
        ),
    ]
    problems = []
    for email, path, shown in pages:
        page = open_page(lang="nb", user=User.objects.get(email=email), width=width, height=800)
        page.goto(path)
        expect(page.locator(shown).first).to_be_visible()
        problems += [f"{path}: {problem}" for problem in axe_violations(page)]
        if width == 375:
            problems += [f"{path}: {problem}" for problem in reflow_problems(page)]
    assert problems == [], "\n".join(problems)
