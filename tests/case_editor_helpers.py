"""What the case editor tests post and read: the forms' data, the messages a page shows and
the redirect to the login page (test_case_editor_writing.py, test_case_editor_access.py)."""

from urllib.parse import unquote

from django.contrib.messages import get_messages
from django.utils import translation
from django.utils.translation import gettext

from cases import services
from cases.content import CONTACT_FIELDS
from cases.models import Case


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def nb(message: str) -> str:
    """A source string as the (Norwegian bokmål) pages show it."""
    with translation.override("nb"):
        return gettext(message)


def nb_label(label) -> str:
    """A lazy label (a vocabulary's or a model choice's) as the pages show it."""
    with translation.override("nb"):
        return str(label)


def edit_data(case: Case, **changes) -> dict:
    """What the edit form posts when the author changes nothing but `changes`."""
    snap = services.case_snapshot(case)
    source_slug = ""
    if snap["source_case"]:
        source_slug = Case.all_objects.get(pk=snap["source_case"]).slug
    data = {
        **{
            field: snap[field]
            for field in ("title", "summary", "problem", "solution", "results", "reuse_guide")
        },
        "contact": snap["contact"],
        **{field: snap[field] for field in CONTACT_FIELDS},
        "sectors": snap["sectors"],
        "innovation_types": snap["innovation_types"],
        "benefits": snap["benefits"],
        "workplace_type": snap["workplace_type"],
        "stage": snap["stage"],
        "tags": ", ".join(snap["tags"]),
        "links": "\n".join(f"{link['url']} {link['title']}".strip() for link in snap["links"]),
        "partners": snap["partners"],
        "origin": snap["origin"],
        "source_case_reference": source_slug,
        "source_description": snap["source_description"],
        "save": "1",
    }
    data.update(changes)
    return data


def full_create_data(owner, **changes) -> dict:
    data = {
        "organisation": owner.pk,
        "title": "Mobil røntgen på sykehjem",
        "summary": "Røntgenbilen kjører fra sykehjem til sykehjem.",
        "problem": "Skrøpelige beboere måtte til sykehuset for et bilde.",
        "solution": "En **bil** med røntgenutstyr.",
        "results": "Færre sykehusturer.",
        "reuse_guide": "Krever avtale med helseforetaket.",
        "contact": "Kari Nordmann, kari@example.no",
        "sectors": ["health-care", "welfare"],
        "innovation_types": ["service", "process"],
        "workplace_type": "nursing-home",
        "stage": "in-use",
        "benefits": ["quality", "efficiency"],
        "tags": "Røntgen, sykehjem ,røntgen, , Mobil tjeneste",
        "links": "https://example.no/rontgen Om prosjektet\n\nhttp://example.no/rapport\n",
        "origin": "unknown",
        "source_case_reference": "",
        "source_description": "",
        "save": "1",
    }
    data.update(changes)
    return data


def login_redirect(response, path: str) -> bool:
    return response.status_code == 302 and f"next={path}" in unquote(response.url)
