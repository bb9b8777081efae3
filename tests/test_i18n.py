"""Languages: bokmål by default, English on request, and a complete, compiled nb catalogue."""

import ast
import datetime
import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases.vocabularies import (
    VOCABULARIES,
    Benefit,
    Channel,
    InnovationType,
    Origin,
    Region,
    Sector,
    SizeClass,
    Stage,
    WorkplaceType,
)
from tests import factories

NB_PO = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"
NB_MO = NB_PO.with_suffix(".mo")

# The nb labels of DESIGN.md's vocabulary table, first letter capitalised.
# (Codes repeat across vocabularies and TextChoices compare as strings: a list, not a dict.)
DESIGN_NB_LABELS = [
    (InnovationType.SERVICE, "Tjeneste"),
    (InnovationType.PROCESS, "Prosess / ny måte å organisere arbeidet på"),
    (InnovationType.COMMUNICATION, "Kommunikasjon med omverdenen"),
    (InnovationType.PRODUCT, "Produkt"),
    (Origin.FIRST, "Den første av sitt slag"),
    (Origin.ADAPTED, "Inspirert av andre, men vesentlig tilpasset"),
    (Origin.COPIED, "I stor grad kopiert"),
    (Origin.UNKNOWN, "Vet ikke"),
    (Channel.NETWORK, "(Fylkes)kommunale og faglige nettverk"),
    (Channel.CONFERENCE, "Seminarer og konferanser"),
    (Channel.PLATFORM, "Denne plattformen"),
    (Channel.DIRECT, "Direkte kontakt"),
    (Channel.SUPPLIER, "Leverandør"),
    (Channel.RESEARCH, "Forsknings- og utdanningsmiljø"),
    (Channel.MEDIA, "Media og sosiale medier"),
    (Channel.OTHER, "Annet"),
    (Sector.HEALTH_CARE, "Helse og omsorg"),
    (Sector.EDUCATION, "Oppvekst og utdanning"),
    (Sector.TRANSPORT, "Samferdsel"),
    (Sector.CULTURE, "Kultur"),
    (Sector.TECHNICAL, "Tekniske tjenester og miljø"),
    (Sector.WELFARE, "NAV og sosiale tjenester"),
    (Sector.PLANNING, "Plan og næring"),
    (Sector.ADMINISTRATION, "Administrasjon og styring"),
    (WorkplaceType.PRIMARY_SCHOOL, "Grunnskole"),
    (WorkplaceType.UPPER_SECONDARY, "Videregående skole"),
    (WorkplaceType.KINDERGARTEN, "Barnehage"),
    (WorkplaceType.NURSING_HOME, "Alders- og sykehjem"),
    (WorkplaceType.HOME_CARE, "Hjemmetjenester"),
    (WorkplaceType.HEALTH_CENTRE, "Helsestasjon og skolehelsetjeneste"),
    (WorkplaceType.CHILD_WELFARE, "Barnevern"),
    (WorkplaceType.WELFARE_OFFICE, "NAV-kontor"),
    (WorkplaceType.CULTURE, "Kultur"),
    (WorkplaceType.TECHNICAL, "Tekniske tjenester"),
    (WorkplaceType.ADMINISTRATION, "Administrasjon"),
    (WorkplaceType.OTHER, "Annet"),
    (Stage.IDEA, "Idé"),
    (Stage.DEVELOPMENT, "Utvikling"),
    (Stage.PILOT, "Utprøving"),
    (Stage.IN_USE, "I drift"),
    (Stage.EVALUATED, "Evaluert"),
    (Stage.DISCONTINUED, "Avsluttet"),
    (Benefit.QUALITY, "Bedre kvalitet"),
    (Benefit.EFFICIENCY, "Effektivisering"),
    (Benefit.AVOIDED_COSTS, "Unngåtte kostnader"),
    (Benefit.STAFF, "Økt trivsel for ansatte"),
    (Benefit.CITIZEN_INFLUENCE, "Økt brukermedvirkning"),
    (Benefit.BUSINESS, "Verdi for næringslivet"),
    (SizeClass.SMALL, "Under 5 000 innbyggere"),
    (SizeClass.MEDIUM, "5 000–19 999 innbyggere"),
    (SizeClass.LARGE, "20 000 innbyggere og flere"),
    (Region.OSLO_VIKEN, "Oslo og Viken"),
    (Region.INNLANDET, "Innlandet"),
    (Region.AGDER_SOR_OSTLANDET, "Agder og Sør-Østlandet"),
    (Region.VESTLANDET, "Vestlandet"),
    (Region.TRONDELAG, "Trøndelag"),
    (Region.NORD_NORGE, "Nord-Norge"),
]

# Labels that are the same in both languages: place names and bare numbers.
SAME_IN_BOTH = {"Innlandet", "Vestlandet", "Trøndelag", "Nord-Norge", "2", "3", "4", "5"}


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"

    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Share innovation, reuse what works" in html
    assert "Skip to main content" in html

    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="nb"' in html
    assert "Del innovasjon, gjenbruk det som virker" in html


@pytest.mark.django_db
def test_language_switch_keeps_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/?q=robot"}, follow=False
    )
    assert response.url == "/?q=robot"


@pytest.mark.parametrize(
    ("member", "nb_label"),
    [
        pytest.param(member, label, id=f"{type(member).__name__}.{member.value}")
        for member, label in DESIGN_NB_LABELS
    ],
)
def test_vocabulary_labels_use_designs_bokmal(member, nb_label):
    with translation.override("nb"):
        assert str(member.label) == nb_label
    with translation.override("en"):
        assert str(member.label) != nb_label or nb_label in SAME_IN_BOTH


def test_every_vocabulary_label_is_translated():
    untranslated = []
    for name, choices in VOCABULARIES.items():
        for member in choices:
            with translation.override("en"):
                english = str(member.label)
            with translation.override("nb"):
                norwegian = str(member.label)
            if norwegian == english and english not in SAME_IN_BOTH:
                untranslated.append(f"{name}.{member.value}: {english}")
    assert untranslated == []


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr list and flags. Stdlib only."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                field = ("msgstr", index)
                entry["msgstr"][index] = value
            else:
                field = keyword
                entry[field] = value
    finish()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


def test_nb_catalogue_is_complete():
    entries = read_po(NB_PO)
    assert len(entries) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert fuzzy == []
    assert empty == []


def test_nb_mo_is_compiled_from_the_po():
    """The committed .mo says what the .po says: every translation is in it, unchanged."""
    with NB_MO.open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    for entry in read_po(NB_PO):
        context = entry.get("msgctxt")
        key = f"{context}\x04{entry['msgid']}" if context else entry["msgid"]
        if "msgid_plural" in entry:
            for index, text in entry["msgstr"].items():
                assert catalogue.get((key, index)) == text, entry["msgid"]
        else:
            assert catalogue.get(key) == entry["msgstr"][0], entry["msgid"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_nb_po_passes_msgfmt_check(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(NB_PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# --- which language a page speaks ---------------------------------------------------------------


@pytest.mark.django_db
def test_pages_speak_bokmal_whatever_the_browser_prefers(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="nb"' in html


@pytest.mark.django_db
def test_english_once_chosen_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_api_still_follows_accept_language(client):
    response = client.get("/api/v1/cases/?page=x", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
def test_dates_in_words_follow_the_language(client):
    case = factories.CaseFactory(
        published=True, published_at=datetime.datetime(2023, 2, 14, 12, tzinfo=datetime.UTC)
    )
    norwegian = client.get(case.get_absolute_url()).content.decode()
    assert "14. februar 2023" in norwegian
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(case.get_absolute_url()).content.decode()
    assert "Feb. 14, 2023" in english
    assert "14. February" not in english
