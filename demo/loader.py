"""The demo content, as data, and the loader that writes it through the services.

`manage.py seed_demo` calls `seed()`. Everything the demo needs is defined here: a few real
counties, municipalities (2024 numbers, population 1 January 2026, SSB centrality 2024, landsdel)
and other organisations, demo users, innovation cases, reuse records and spread activities.

The organisations are real; the cases are drawn from real Norwegian innovations (mobile X-ray
for nursing homes, Vandreboka, medicine robots, vekslingsmodellen, meråpent bibliotek ...), but
their texts, people and figures are illustrative demo content, not accounts of those places.

Every date is a fixed absolute date, so two runs, on any day, write the same history.

Loading rules (see `seed()`):
- organisations: get-or-create by (kind, number) for municipalities and counties, by slug for
  the others; users by email; cases by slug; adoptions by (case, organisation); spread
  activities by (organisation, case, kind, date). What exists is left exactly as it is.
- cases go through the services (case_create → case_submit → case_approve by the moderator),
  so the history, the automatic adoption of a named source case and the notifications are the
  real ones; afterwards the timestamps are moved back to the dates below with .update().
"""

import datetime as dt
import inspect
from collections import Counter
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save

from cases import services
from cases.content import CONTENT_FIELDS
from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseEvent,
    Membership,
    Organisation,
    OutgoingEmail,
    SpreadActivity,
    refresh_adoption_counters,
)
from cases.vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Benefit,
    CaseStatus,
    Channel,
    EmployeeBand,
    InnovationType,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Origin,
    Region,
    Sector,
    SpreadKind,
    Stage,
    WorkplaceType,
)

# One demo record (a county, user, case...): field name to value, as the tables below write it.
Spec = dict[str, Any]

PASSWORD = "demo-passord-2026"
TIME_ZONE = ZoneInfo("Europe/Oslo")
# When the demo organisations, users and memberships "came to the platform".
JOINED = dt.datetime(2023, 1, 9, 9, 0, tzinfo=TIME_ZONE)
# The main logins, printed first by the command.
ADMIN_EMAIL = "admin@demo.no"
MODERATOR_EMAIL = "moderator@demo.no"
EMPLOYEE_EMAIL = "ansatt@demo.no"


def _md(text: str) -> str:
    """Long text fields are Markdown; write them indented in this file, store them flush left."""
    return inspect.cleandoc(text)


# ------------------------------------------------------------------------------------------
# Organisations. `slug` is also the key the rest of this file uses to name an organisation.
# Counties and municipalities are named and slugged as `load_municipalities` names and slugs
# them, with the registry's figures, so the database is the same whichever command runs first.
# ------------------------------------------------------------------------------------------

# The 15 counties of the 2024 structure: county municipalities (fylkeskommuner), and also the
# county every municipality lies in. Oslo is both a county and a municipality.
# number, name, slug, region (landsdel)
_COUNTY_ROWS = [
    ("03", "Oslo", "oslo-fylkeskommune", Region.OSLO_VIKEN),
    ("11", "Rogaland", "rogaland-fylkeskommune", Region.VESTLANDET),
    ("15", "Møre og Romsdal", "more-og-romsdal-fylkeskommune", Region.VESTLANDET),
    ("18", "Nordland", "nordland-fylkeskommune", Region.NORD_NORGE),
    ("31", "Østfold", "ostfold-fylkeskommune", Region.OSLO_VIKEN),
    ("32", "Akershus", "akershus-fylkeskommune", Region.OSLO_VIKEN),
    ("33", "Buskerud", "buskerud-fylkeskommune", Region.OSLO_VIKEN),
    ("34", "Innlandet", "innlandet-fylkeskommune", Region.INNLANDET),
    ("39", "Vestfold", "vestfold-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("40", "Telemark", "telemark-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("42", "Agder", "agder-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("46", "Vestland", "vestland-fylkeskommune", Region.VESTLANDET),
    ("50", "Trøndelag", "trondelag-fylkeskommune", Region.TRONDELAG),
    ("55", "Troms", "troms-fylkeskommune", Region.NORD_NORGE),
    ("56", "Finnmark", "finnmark-fylkeskommune", Region.NORD_NORGE),
]
COUNTIES: list[Spec] = [
    {"number": number, "name": name, "slug": slug, "region": region}
    for number, name, slug, region in _COUNTY_ROWS
]

# number, name, slug, county, population (1 January 2026), SSB centrality class and index (2024)
_MUNICIPALITY_ROWS = [
    ("0301", "Oslo", "oslo", "oslo-fylkeskommune", 728714, 1, 1000),
    ("4601", "Bergen", "bergen", "vestland-fylkeskommune", 294860, 2, 895),
    ("5001", "Trondheim", "trondheim", "trondelag-fylkeskommune", 218460, 2, 885),
    ("1103", "Stavanger", "stavanger", "rogaland-fylkeskommune", 151669, 2, 890),
    ("4204", "Kristiansand", "kristiansand", "agder-fylkeskommune", 119287, 3, 832),
    ("5501", "Tromsø", "tromso", "troms-fylkeskommune", 79943, 3, 803),
    ("1508", "Ålesund", "alesund", "more-og-romsdal-fylkeskommune", 59663, 3, 800),
    ("1804", "Bodø", "bodo", "nordland-fylkeskommune", 53638, 3, 793),
    ("3405", "Lillehammer", "lillehammer", "innlandet-fylkeskommune", 29669, 3, 818),
    ("5037", "Levanger", "levanger", "trondelag-fylkeskommune", 20807, 4, 752),
    ("4621", "Voss", "voss", "vestland-fylkeskommune", 16438, 4, 720),
    ("1816", "Vevelstad", "vevelstad", "nordland-fylkeskommune", 477, 6, 373),
    ("1856", "Røst", "rost", "nordland-fylkeskommune", 471, 6, 366),
    ("1151", "Utsira", "utsira", "rogaland-fylkeskommune", 219, 6, 293),
]
_MUNICIPALITY_EXTRA: dict[str, Spec] = {
    "oslo": {"email_domains": ["oslo.kommune.no"], "website": "https://www.oslo.kommune.no/"},
    "bergen": {
        "email_domains": ["bergen.kommune.no"],
        "website": "https://www.bergen.kommune.no/",
    },
    "trondheim": {"website": "https://www.trondheim.kommune.no/"},
}
_REGION_OF_COUNTY = {county["slug"]: county["region"] for county in COUNTIES}

# Large, medium and small; central and remote; every region.
MUNICIPALITIES: list[Spec] = [
    {
        "number": number,
        "name": name,
        "slug": slug,
        "county": county,
        "population": population,
        "population_year": 2026,
        "centrality_class": centrality_class,
        "centrality_index": centrality_index,
        "region": _REGION_OF_COUNTY[county],
        **_MUNICIPALITY_EXTRA.get(slug, {}),
    }
    for number, name, slug, county, population, centrality_class, centrality_index in (
        _MUNICIPALITY_ROWS
    )
]

# Workplaces inside a municipality, and organisations that are neither municipality nor county.
OTHER_ORGANISATIONS: list[Spec] = [
    {
        "slug": "tasen-helsehus",
        "name": "Tåsen helsehus",
        "kind": OrganisationKind.UNIT,
        "parent": "oslo",
        "workplace_type": WorkplaceType.NURSING_HOME,
        "employee_band": EmployeeBand.B100,
    },
    {
        "slug": "charlottenlund-ungdomsskole",
        "name": "Charlottenlund ungdomsskole",
        "kind": OrganisationKind.UNIT,
        "parent": "trondheim",
        "workplace_type": WorkplaceType.PRIMARY_SCHOOL,
        "employee_band": EmployeeBand.B50_99,
    },
    {
        "slug": "hjemmetjenesten-i-bodo",
        "name": "Hjemmetjenesten i Bodø",
        "kind": OrganisationKind.UNIT,
        "parent": "bodo",
        "workplace_type": WorkplaceType.HOME_CARE,
        "employee_band": EmployeeBand.B100,
    },
    {
        "slug": "oslo-universitetssykehus",
        "name": "Oslo universitetssykehus HF",
        "kind": OrganisationKind.STATE_AGENCY,
        "website": "https://oslo-universitetssykehus.no/",
    },
    {
        "slug": "sintef",
        "name": "SINTEF",
        "kind": OrganisationKind.RESEARCH,
        "website": "https://www.sintef.no/",
    },
    {
        "slug": "ntnu",
        "name": "NTNU – Norges teknisk-naturvitenskapelige universitet",
        "kind": OrganisationKind.RESEARCH,
        "website": "https://www.ntnu.no/",
    },
    {
        "slug": "evondos",
        "name": "Evondos",
        "kind": OrganisationKind.COMPANY,
        "website": "https://www.evondos.com/",
    },
]

# ------------------------------------------------------------------------------------------
# Users. One fixed password for all; every address is verified. Memberships: (slug, role).
# Whoever acts for an organisation below (writes, records reuse, spreads) is its first member
# here; whoever confirms a reuse is the first editor of the case owner.
# ------------------------------------------------------------------------------------------

EDITOR = MembershipRole.EDITOR
MEMBER = MembershipRole.MEMBER

USERS: list[Spec] = [
    {"email": ADMIN_EMAIL, "full_name": "Ada Admin", "superuser": True, "memberships": []},
    {
        "email": MODERATOR_EMAIL,
        "full_name": "Marte Moe",
        "moderator": True,
        "memberships": [],
    },
    {
        "email": EMPLOYEE_EMAIL,
        "full_name": "Anders Aasen",
        "memberships": [("oslo", EDITOR)],
    },
    {
        "email": "sykehjem.oslo@demo.no",
        "full_name": "Ingrid Haugen",
        "memberships": [("tasen-helsehus", EDITOR)],
    },
    {
        "email": "bergen@demo.no",
        "full_name": "Sigrid Bakke",
        "memberships": [("bergen", EDITOR)],
    },
    {
        "email": "trondheim@demo.no",
        "full_name": "Ola Rønning",
        "memberships": [("trondheim", EDITOR)],
    },
    {
        "email": "skole.trondheim@demo.no",
        "full_name": "Emma Lie",
        "memberships": [("charlottenlund-ungdomsskole", MEMBER)],
    },
    {
        "email": "stavanger@demo.no",
        "full_name": "Lars Eide",
        "memberships": [("stavanger", EDITOR)],
    },
    {
        "email": "kristiansand@demo.no",
        "full_name": "Kristin Solberg",
        "memberships": [("kristiansand", EDITOR)],
    },
    {
        "email": "tromso@demo.no",
        "full_name": "Silje Nilsen",
        "memberships": [("tromso", MEMBER)],
    },
    {
        "email": "alesund@demo.no",
        "full_name": "Eirik Vik",
        "memberships": [("alesund", EDITOR)],
    },
    {
        "email": "bodo@demo.no",
        "full_name": "Hanne Johansen",
        "memberships": [("bodo", EDITOR)],
    },
    {
        "email": "hjemmetjenesten.bodo@demo.no",
        "full_name": "Tor Pedersen",
        "memberships": [("hjemmetjenesten-i-bodo", EDITOR)],
    },
    {
        "email": "lillehammer@demo.no",
        "full_name": "Per Bakken",
        "memberships": [("lillehammer", EDITOR)],
    },
    {
        "email": "levanger@demo.no",
        "full_name": "Marit Sandvik",
        "memberships": [("levanger", EDITOR)],
    },
    {"email": "voss@demo.no", "full_name": "Knut Lunde", "memberships": [("voss", EDITOR)]},
    {
        "email": "vevelstad@demo.no",
        "full_name": "Tone Strand",
        "memberships": [("vevelstad", MEMBER)],
    },
    {
        "email": "rost@demo.no",
        "full_name": "Ragnhild Olsen",
        "memberships": [("rost", MEMBER)],
    },
    {
        "email": "utsira@demo.no",
        "full_name": "Jon Utne",
        "memberships": [("utsira", MEMBER)],
    },
    {
        "email": "trondelag.fylke@demo.no",
        "full_name": "Bjørn Aune",
        "memberships": [("trondelag-fylkeskommune", EDITOR)],
    },
    {
        "email": "nordland.fylke@demo.no",
        "full_name": "Linn Hansen",
        "memberships": [("nordland-fylkeskommune", MEMBER)],
    },
    {
        "email": "vestland.fylke@demo.no",
        "full_name": "Geir Myklebust",
        "memberships": [("vestland-fylkeskommune", MEMBER)],
    },
    {
        "email": "agder.fylke@demo.no",
        "full_name": "Camilla Berg",
        "memberships": [("agder-fylkeskommune", MEMBER)],
    },
    {
        "email": "innlandet.fylke@demo.no",
        "full_name": "Håkon Dahl",
        "memberships": [("innlandet-fylkeskommune", MEMBER)],
    },
    {
        "email": "vestfold.fylke@demo.no",
        "full_name": "Anne Kristiansen",
        "memberships": [("vestfold-fylkeskommune", EDITOR)],
    },
    {
        "email": "telemark.fylke@demo.no",
        "full_name": "Stian Moen",
        "memberships": [("telemark-fylkeskommune", MEMBER)],
    },
    {
        "email": "more.fylke@demo.no",
        "full_name": "Ida Sæther",
        "memberships": [("more-og-romsdal-fylkeskommune", EDITOR)],
    },
]

# ------------------------------------------------------------------------------------------
# Cases, in the order they were published (a source case is published before its copies).
# `status` is the state the demo leaves the case in; `review` sends it back once on the way.
# Content keys are the services' field names; partners are organisation slugs and
# source_case a case slug.
# ------------------------------------------------------------------------------------------

D = dt.date

CASES: list[Spec] = [
    {
        "slug": "mobil-rontgen",
        "owner": "oslo",
        "author": EMPLOYEE_EMAIL,
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 1, 30),
        "submitted_on": D(2023, 2, 8),
        "published_on": D(2023, 2, 14),
        "title": "Mobil røntgen på sykehjem",
        "summary": (
            "En røntgenbil med radiograf kjører mellom sykehjemmene og tar bildene der "
            "beboeren bor. Skrøpelige eldre slipper transport til sykehuset, og sykehjemslegen "
            "får svar samme dag."
        ),
        "problem": _md(
            """
            Når en sykehjemsbeboer trenger røntgen, betyr det ofte drosje eller ambulanse til
            sykehuset, lang venting i mottaket og en ledsager fra sykehjemmet som er borte fra
            avdelingen i mange timer.

            For beboere med demens er turen i seg selv en belastning: mange blir urolige og
            forvirret, og noen får delirium etter et sykehusbesøk. Derfor lot man det av og til
            være å undersøke, og brudd og lungebetennelse ble oppdaget sent.
            """
        ),
        "solution": _md(
            """
            Radiografer fra sykehuset kjører en bil med bærbart digitalt røntgenutstyr ut til
            sykehjemmene etter bestilling fra sykehjemslegen.

            - Legen bestiller undersøkelsen elektronisk, som en vanlig henvisning.
            - Radiografen tar bildene på beboerens eget rom, som regel innen ett døgn.
            - Bildene sendes digitalt til sykehuset og tolkes av radiolog; svaret går til
              sykehjemslegen samme dag.

            Tjenesten drives i samarbeid mellom kommunen og sykehuset. Sykehjemmene betaler ikke
            noe ekstra per undersøkelse.
            """
        ),
        "results": _md(
            """
            Det første året ble rundt 2 000 undersøkelser gjort på sykehjemmene i stedet for på
            sykehuset.

            - Færre transporter og innleggelser, og mindre uro hos beboere med demens.
            - Ansatte slipper å følge beboere til sykehuset og blir på avdelingen.
            - Legene bestiller røntgen tidligere, også i tilfeller der de før lot det være.
            """
        ),
        "reuse_guide": _md(
            """
            **Forutsetninger:** en avtale med helseforetaket om radiografer og radiologtjeneste,
            og sykehjemsleger som kan henvise elektronisk.

            **Kostnad:** bil og bærbart røntgenapparat, og to radiografstillinger. Gevinsten
            kommer både hos kommunen og hos helseforetaket, så avtal fordelingen tidlig.

            **Må tilpasses:** kjøreruter og åpningstid etter avstandene. I spredtbygde strøk kan
            flere kommuner dele én bil.

            **Fallgruver:** meld bruken av røntgenutstyret til strålevernmyndigheten i god tid,
            og regn med at integrasjonen mellom journalsystem og bildearkiv tar tid.
            """
        ),
        "contact": "Anne Kristin Berg, rådgiver i Sykehjemsetaten, Oslo kommune – anne.kristin.berg@demo.no",
        "sectors": [Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.SERVICE],
        "workplace_type": WorkplaceType.NURSING_HOME,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.QUALITY, Benefit.AVOIDED_COSTS, Benefit.STAFF],
        "tags": ["røntgen", "sykehjem", "ambulant tjeneste", "samhandling", "demens"],
        "partners": ["oslo-universitetssykehus", "tasen-helsehus"],
        "origin": Origin.FIRST,
        "links": [
            {"url": "https://oslo-universitetssykehus.no/", "title": "Oslo universitetssykehus"}
        ],
    },
    {
        "slug": "vandreboka",
        "owner": "trondelag-fylkeskommune",
        "author": "trondelag.fylke@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 3, 27),
        "submitted_on": D(2023, 4, 12),
        "published_on": D(2023, 4, 20),
        "title": "Vandreboka – læring og utvikling for lærlinger",
        "summary": (
            "En digital læringsdagbok som følger lærlingen gjennom hele læretiden. Lærling, "
            "instruktør og opplæringskontor ser den samme planen, dokumenterer læringen "
            "underveis og fanger opp dem som står i fare for å slutte."
        ),
        "problem": _md(
            """
            Mange lærlinger slutter før fagprøven, og ofte oppdager fylkeskommunen det først når
            kontrakten heves. Dokumentasjonen av opplæringen lå i permer og skjemaer i den
            enkelte bedrift, og instruktørene manglet oversikt over hvilke mål i læreplanen som
            var nådd.
            """
        ),
        "solution": _md(
            """
            Vandreboka er oppkalt etter boka svenner før i tiden hadde med seg fra mester til
            mester. Den digitale utgaven

            - bryter læreplanmålene ned i konkrete arbeidsoppgaver for hver bedrift,
            - lar lærlingen logge arbeidet med tekst, bilder og video fra mobilen,
            - gir instruktøren en enkel mal for månedlige samtaler, og
            - varsler opplæringskontoret når en lærling ikke har logget på en stund.

            Fylkeskommunen eier løsningen og tilbyr den gratis til alle lærebedrifter.
            """
        ),
        "results": _md(
            """
            Etter to år brukes Vandreboka av lærlinger i over 40 fag. Lærlingene sier de vet
            bedre hva de skal kunne til fagprøven, og opplæringskontorene fanger opp problemer
            flere måneder tidligere enn før.
            """
        ),
        "reuse_guide": _md(
            """
            Løsningen kan deles med andre fylkeskommuner på samme avtale. Det som tar tid, er
            ikke teknikken, men å få med opplæringskontorene og lærebedriftene: sett av tid til
            opplæring av instruktører, og start med noen få fag.
            """
        ),
        "contact": "Seksjon for fagopplæring, Trøndelag fylkeskommune – vandreboka@demo.no",
        "sectors": [Sector.EDUCATION],
        "innovation_types": [InnovationType.COMMUNICATION, InnovationType.PRODUCT],
        "workplace_type": WorkplaceType.UPPER_SECONDARY,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.QUALITY, Benefit.BUSINESS],
        "tags": ["lærlinger", "fagopplæring", "læringsdagbok", "frafall"],
        "partners": ["more-og-romsdal-fylkeskommune"],
        "origin": Origin.FIRST,
    },
    {
        "slug": "medisinrobot-multidose",
        "owner": "kristiansand",
        "author": "kristiansand@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 4, 24),
        "submitted_on": D(2023, 5, 3),
        "published_on": D(2023, 5, 10),
        "title": "Medisinrobot for multidose i hjemmetjenesten",
        "summary": (
            "Hjemmeboende med faste medisiner får en medisinrobot som gir riktig dose til "
            "riktig tid fra multidoseruller pakket av apoteket. Roboten varsler "
            "hjemmetjenesten hvis en dose ikke blir tatt."
        ),
        "problem": _md(
            """
            En stor del av besøkene i hjemmetjenesten gjaldt bare å dele ut medisiner, og mange
            av dem måtte skje på samme tid om morgenen. Det ga travle morgener, korte besøk og
            avvik når noen ble forsinket.
            """
        ),
        "solution": _md(
            """
            Apoteket pakker medisinene i multidoseruller som settes inn i en medisinrobot hjemme
            hos brukeren. Roboten sier fra når det er tid for medisin og gir ut riktig pose.

            - Blir dosen ikke tatt, går det varsel til hjemmetjenesten.
            - Faste kriterier avgjør hvem som får tilbudet: brukeren må kunne ta medisinen selv
              når den gis ut.
            - En egen velferdsteknologikoordinator lærer opp brukere og ansatte.
            """
        ),
        "results": _md(
            """
            Etter to år har over 300 brukere medisinrobot. Kommunen anslår at tusenvis av besøk
            i året er frigjort til andre oppgaver, og antallet avvik i legemiddelhåndteringen
            har gått ned. Mange brukere sier de liker å klare seg selv.
            """
        ),
        "reuse_guide": _md(
            """
            **Forutsetninger:** avtale med apotek om multidose, og en fastlegeordning som
            forskriver multidose.

            **Må tilpasses:** utvalgskriteriene og hvem som svarer på varslene.

            **Fallgruver:** å velge brukere ut fra hvem som har flest besøk i stedet for hvem
            som kan klare seg med roboten. Behandle det som en endring av tjenesten, ikke bare
            et innkjøp av teknologi.
            """
        ),
        "contact": "Velferdsteknologi, helse og mestring, Kristiansand kommune – velferdsteknologi@demo.no",
        "sectors": [Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.PRODUCT, InnovationType.PROCESS],
        "workplace_type": WorkplaceType.HOME_CARE,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.EFFICIENCY, Benefit.QUALITY, Benefit.AVOIDED_COSTS],
        "tags": ["velferdsteknologi", "multidose", "medisinrobot", "multidoserobot"],
        "partners": ["evondos"],
        "origin": Origin.FIRST,
    },
    {
        "slug": "felles-digitale-laeremidler",
        "owner": "stavanger",
        "author": "stavanger@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 8, 14),
        "submitted_on": D(2023, 8, 28),
        "published_on": D(2023, 9, 5),
        "title": "Felles digitale læremidler i grunnskolen",
        "summary": (
            "Kommunen har samlet valg, innkjøp og opplæring i digitale læremidler for alle "
            "grunnskolene. Lærerne får et kuratert utvalg med innlogging via Feide, og skolene "
            "slipper å forhandle hver sin lisens."
        ),
        "problem": _md(
            """
            Hver skole kjøpte sine egne digitale læremidler. Det ga over hundre ulike lisenser,
            dobbel betaling for de samme tjenestene og uklarhet om personvernet: ingen hadde
            oversikt over hvilke tjenester som behandlet elevenes data.
            """
        ),
        "solution": _md(
            """
            Et lite team i skoleadministrasjonen, med lærere fra skolene, vurderer læremidlene
            faglig og juridisk og kjøper inn lisenser for hele kommunen. Alt samles i én
            oversikt der elevene logger inn med Feide.
            """
        ),
        "results": _md(
            """
            - Færre og bedre læremidler, alle med databehandleravtale.
            - Lavere lisenskostnader gjennom felles innkjøp.
            - Lærerne bruker mindre tid på å lete og mer på å planlegge undervisningen.
            """
        ),
        "reuse_guide": _md(
            """
            Vurderingskriteriene og malen for databehandleravtaler kan deles. Små kommuner kan
            slutte seg til et innkjøpssamarbeid i stedet for å bygge et eget team.
            """
        ),
        "contact": "Oppvekst og utdanning, Stavanger kommune – laeremidler@demo.no",
        "sectors": [Sector.EDUCATION, Sector.ADMINISTRATION],
        "innovation_types": [InnovationType.PROCESS, InnovationType.PRODUCT],
        "workplace_type": WorkplaceType.PRIMARY_SCHOOL,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.EFFICIENCY, Benefit.AVOIDED_COSTS, Benefit.QUALITY],
        "tags": ["digitale læremidler", "innkjøp", "feide", "personvern"],
        "origin": Origin.FIRST,
    },
    {
        "slug": "vekslingsmodellen",
        "owner": "vestfold-fylkeskommune",
        "author": "vestfold.fylke@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 10, 2),
        "submitted_on": D(2023, 10, 16),
        "published_on": D(2023, 10, 24),
        "title": "Vekslingsmodellen – skole og læretid hånd i hånd",
        "summary": (
            "I stedet for to år i skole og deretter to år i bedrift veksler elevene mellom "
            "skole og lærebedrift gjennom hele løpet. De møter arbeidslivet fra første uke, og "
            "flere fullfører med fag- eller svennebrev."
        ),
        "problem": _md(
            """
            I den vanlige 2+2-modellen møter yrkesfagelevene arbeidslivet først etter to år på
            skolen. Mange mister motivasjonen underveis, og noen får aldri læreplass.
            """
        ),
        "solution": _md(
            """
            Eleven får læreplass allerede fra første år og veksler mellom skole og bedrift, for
            eksempel to dager i bedrift og tre på skolen. Skolen og bedriften lager en felles
            plan, slik at det eleven lærer på skolen brukes i bedriften uka etter.
            """
        ),
        "results": _md(
            """
            Frafallet i klassene med vekslingsmodell er lavere enn i sammenlignbare klasser, og
            bedriftene sier de får lærlinger som kjenner arbeidsplassen godt. Ordningen krever
            mer koordinering av skolen.
            """
        ),
        "reuse_guide": _md(
            """
            Start i fag med mange lærebedrifter nær skolen. Avtal timeplanen med bedriftene før
            skolestart, og sett av tid til en koordinator på skolen.
            """
        ),
        "contact": "Avdeling for videregående opplæring, Vestfold fylkeskommune – veksling@demo.no",
        "sectors": [Sector.EDUCATION],
        "innovation_types": [InnovationType.PROCESS],
        "workplace_type": WorkplaceType.UPPER_SECONDARY,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.QUALITY, Benefit.BUSINESS],
        "tags": ["vekslingsmodell", "yrkesfag", "lærlinger", "fagbrev"],
        "origin": Origin.ADAPTED,
        "source_description": (
            "Utdanningsdirektoratets forsøk med alternative opplæringsmodeller i yrkesfagene, "
            "der flere fylker prøvde ulike vekslingsmodeller."
        ),
    },
    {
        "slug": "en-dor-inn",
        "owner": "trondheim",
        "author": "trondheim@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2023, 11, 6),
        "submitted_on": D(2023, 11, 20),
        "published_on": D(2023, 11, 28),
        "title": "Én dør inn – koordinert tildeling av helse- og velferdstjenester",
        "summary": (
            "Innbyggere som trenger hjemmetjenester, praktisk bistand, omsorgsbolig eller "
            "avlastning søker ett sted og får én saksbehandler. Et tverrfaglig tildelingsteam "
            "vurderer hele behovet samlet i stedet for tjeneste for tjeneste."
        ),
        "problem": _md(
            """
            En innbygger med sammensatte behov kunne ha fem-seks søknader til like mange
            enheter, med hvert sitt vedtak og hver sin kontaktperson. Pårørende brukte mye tid
            på å koordinere, og kommunen gjorde de samme kartleggingene flere ganger.
            """
        ),
        "solution": _md(
            """
            - Ett felles kontor tar imot alle søknader om helse- og velferdstjenester, på
              telefon, digitalt og ved oppmøte.
            - Søkeren får én fast saksbehandler som kartlegger hele behovet.
            - Et tverrfaglig team fatter vedtak om alle tjenestene samtidig.
            """
        ),
        "results": _md(
            """
            Saksbehandlingstiden gikk ned, og innbyggerne får ett samlet vedtak. Brukerundersøkelsen
            viser at flere vet hvem de skal kontakte.
            """
        ),
        "reuse_guide": _md(
            """
            Krever at tildelingen flyttes ut av de enkelte tjenestene, og det må ledelsen stå
            bak. Felles kartleggingsverktøy og vedtaksmaler kan deles.
            """
        ),
        "contact": "Helse- og velferdskontoret, Trondheim kommune – endorinn@demo.no",
        "sectors": [Sector.HEALTH_CARE, Sector.WELFARE, Sector.ADMINISTRATION],
        "innovation_types": [InnovationType.SERVICE, InnovationType.COMMUNICATION],
        "workplace_type": WorkplaceType.ADMINISTRATION,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.CITIZEN_INFLUENCE, Benefit.EFFICIENCY, Benefit.QUALITY],
        "tags": ["koordinert tildeling", "én dør inn", "saksbehandling", "tildeling"],
        "origin": Origin.FIRST,
    },
    {
        "slug": "multidoserobot-spredtbygd",
        "owner": "levanger",
        "author": "levanger@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 1, 8),
        "submitted_on": D(2024, 1, 15),
        "published_on": D(2024, 1, 18),
        "title": "Multidoserobot i spredtbygd hjemmetjeneste",
        "summary": (
            "Levanger tok i bruk Kristiansands modell for medisinroboter, men tilpasset den "
            "lange kjøreavstander: varslene går til en fast robotansvarlig, og distriktene "
            "fikk egne rutiner for påfyll."
        ),
        "problem": _md(
            """
            I distriktene kjører hjemmetjenesten langt for korte medisinbesøk. Et glemt besøk
            eller en forsinkelse på vinterføre rammer brukere som bor langt unna.
            """
        ),
        "solution": _md(
            """
            Vi brukte utvalgskriteriene og opplæringen fra Kristiansand, men endret to ting:

            - Varsler om doser som ikke er tatt går til en fast robotansvarlig, som ringer
              brukeren før noen kjører ut.
            - Multidoserullene fylles på ved ordinære besøk, slik at ingen kjører ut bare for å
              fylle på.
            """
        ),
        "results": _md(
            """
            Færre kjørte kilometer og færre glemte doser. Brukerne i distriktene er de mest
            fornøyde.
            """
        ),
        "reuse_guide": _md(
            """
            Passer for kommuner med lange avstander. Den robotansvarlige må ha tid avsatt i
            turnusen.
            """
        ),
        "contact": "Hjemmetjenesten, Levanger kommune – hjemmetjenesten@demo.no",
        "sectors": [Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.PRODUCT, InnovationType.PROCESS],
        "workplace_type": WorkplaceType.HOME_CARE,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.EFFICIENCY, Benefit.AVOIDED_COSTS],
        "tags": ["velferdsteknologi", "multidoserobot", "distrikt"],
        "origin": Origin.ADAPTED,
        "source_case": "medisinrobot-multidose",
    },
    {
        "slug": "omvendt-undervisning",
        "owner": "charlottenlund-ungdomsskole",
        "author": "skole.trondheim@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 2, 19),
        "submitted_on": D(2024, 3, 4),
        "published_on": D(2024, 3, 12),
        "title": "Omvendt undervisning og fjernundervisning i matematikk",
        "summary": (
            "Elevene ser korte videoer med gjennomgang hjemme og bruker timene til oppgaver og "
            "samtale med læreren. Videoene og én direkteoverført time i uka gjør at elever som "
            "ikke kan være på skolen, følger den samme undervisningen."
        ),
        "problem": _md(
            """
            I matematikktimene gikk mye tid til tavleundervisning, og elevene satt alene med
            oppgavene hjemme, der de trengte hjelp mest. Elever med høyt fravær falt fort
            etter.
            """
        ),
        "solution": _md(
            """
            Lærerne lager videoer på fem til ti minutter for hvert tema. Elevene ser dem
            hjemme, og timene brukes til oppgaver, samtale og veiledning i små grupper.

            Én time i uka strømmes direkte, slik at elever som er hjemme eller på
            sykehusskole kan være med.
            """
        ),
        "results": _md(
            """
            Læreren får mer tid med hver elev, og elevene sier de tør å spørre mer. Forskere fra
            NTNU fulgte prosjektet og fant bedre resultater på de nasjonale prøvene for de
            svakeste elevene.
            """
        ),
        "reuse_guide": _md(
            """
            Videoene kan deles fritt. Det viktigste å tilpasse er hvordan timene brukes;
            omvendt undervisning virker bare når tiden i klasserommet faktisk brukes til
            veiledning.
            """
        ),
        "contact": "Emma Lie, lærer i matematikk, Charlottenlund ungdomsskole – emma.lie@demo.no",
        "sectors": [Sector.EDUCATION],
        "innovation_types": [InnovationType.PROCESS, InnovationType.SERVICE],
        "workplace_type": WorkplaceType.PRIMARY_SCHOOL,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.QUALITY, Benefit.CITIZEN_INFLUENCE],
        "tags": ["omvendt undervisning", "flipped classroom", "fjernundervisning", "matematikk"],
        "partners": ["ntnu"],
        "origin": Origin.ADAPTED,
        "source_description": (
            "Flipped classroom slik lærerne Jonathan Bergmann og Aaron Sams beskrev metoden i USA."
        ),
    },
    {
        "slug": "nytt-maltidsmonster",
        "owner": "tasen-helsehus",
        "author": "sykehjem.oslo@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 4, 22),
        "submitted_on": D(2024, 5, 6),
        "published_on": D(2024, 5, 14),
        "title": "Nytt måltidsmønster på sykehjem",
        "summary": (
            "Sykehjemmet flyttet middagen til ettermiddagen, innførte et sent kveldsmåltid og "
            "serverer frokost når beboeren våkner. Nattfasten ble kortere, beboerne spiser mer, "
            "og færre går ned i vekt."
        ),
        "problem": _md(
            """
            Måltidene fulgte vaktene til de ansatte: frokost klokka åtte, middag klokka tolv og
            kveldsmat klokka seks. Det ga en nattfaste på over fjorten timer, og mange beboere
            var underernærte.
            """
        ),
        "solution": _md(
            """
            - Frokost serveres når beboeren våkner, ikke til fast tid.
            - Lunsj midt på dagen og middag klokka 15–16.
            - Et næringsrikt kveldsmåltid klokka 20–21, og noe å spise om natten for dem som
              er våkne.
            """
        ),
        "results": _md(
            """
            Nattfasten er nede i under elleve timer. Flere beboere har stabil vekt, og de
            ansatte opplever roligere kvelder.
            """
        ),
        "reuse_guide": _md(
            """
            Krever at kjøkkenet og turnusen tilpasses, men ingen nye stillinger. Involver
            beboere og pårørende før endringen.
            """
        ),
        "contact": "Ingrid Haugen, avdelingsleder, Tåsen helsehus – ingrid.haugen@demo.no",
        "sectors": [Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.PROCESS, InnovationType.SERVICE],
        "workplace_type": WorkplaceType.NURSING_HOME,
        "stage": Stage.EVALUATED,
        "benefits": [Benefit.QUALITY, Benefit.CITIZEN_INFLUENCE],
        "tags": ["måltider", "ernæring", "nattfaste", "sykehjem"],
        "origin": Origin.UNKNOWN,
    },
    {
        "slug": "langvakter-ny-turnus",
        "owner": "lillehammer",
        "author": "lillehammer@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 8, 12),
        "submitted_on": D(2024, 8, 26),
        "published_on": D(2024, 9, 3),
        "title": "Langvakter og ny turnus på sykehjem",
        "summary": (
            "Ansatte på to sykehjemsavdelinger går langvakter på 12,5 timer i helgene og "
            "arbeider hver tredje helg i stedet for hver andre. Flere har fått hele stillinger, "
            "og beboerne møter færre ulike ansatte."
        ),
        "problem": _md(
            """
            Sykehjemmene hadde mange små stillinger og ufrivillig deltid, fordi helgene krevde
            mange folk på korte vakter. Beboerne møtte mange ulike ansatte i løpet av en uke,
            og det var vanskelig å rekruttere sykepleiere.
            """
        ),
        "solution": _md(
            """
            Sammen med tillitsvalgte laget avdelingene en ny turnus med langvakter i helgene.
            Ordningen er frivillig, evalueres hvert halvår og har fått dispensasjon etter
            arbeidsmiljøloven gjennom avtale med fagforeningene.
            """
        ),
        "results": _md(
            """
            - Andelen heltidsstillinger økte fra om lag en tredjedel til over halvparten.
            - Sykefraværet gikk ned det første året.
            - Beboere og pårørende merker at de møter færre ulike ansatte.
            """
        ),
        "reuse_guide": _md(
            """
            Turnusen må lages med de ansatte og de tillitsvalgte, ikke for dem. Regn med at
            noen ikke ønsker langvakter, og ha et alternativ.
            """
        ),
        "contact": "Per Bakken, enhetsleder for sykehjem, Lillehammer kommune – per.bakken@demo.no",
        "sectors": [Sector.HEALTH_CARE, Sector.ADMINISTRATION],
        "innovation_types": [InnovationType.PROCESS],
        "workplace_type": WorkplaceType.NURSING_HOME,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.STAFF, Benefit.QUALITY],
        "tags": ["langvakter", "ny turnus", "heltidskultur", "rekruttering"],
        "origin": Origin.ADAPTED,
        "source_description": (
            "Erfaringer fra andre kommuner med langvakter, formidlet gjennom KS' arbeid med "
            "heltidskultur."
        ),
    },
    {
        "slug": "medisinrobot-vevelstad",
        "owner": "vevelstad",
        "author": "vevelstad@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 9, 23),
        "submitted_on": D(2024, 10, 1),
        "published_on": D(2024, 10, 8),
        "title": "Medisinrobot i hjemmetjenesten i Vevelstad",
        "summary": (
            "En liten kommune med én hjemmetjenestesone kopierte Levangers opplegg for "
            "multidoserobot nesten uendret – rutiner, utvalgskriterier og opplæringsmateriell – "
            "og hadde de første brukerne i gang etter seks uker."
        ),
        "problem": _md(
            """
            Med få ansatte og lange avstander ble medisinbesøkene en stor del av dagen i
            hjemmetjenesten.
            """
        ),
        "solution": _md(
            """
            Vi tok i bruk rutinene og opplæringsmateriellet fra Levanger og kjøpte roboter på
            samme avtale. Den eneste endringen er at varslene går til sykepleier på vakt.
            """
        ),
        "results": "Seks brukere har robot, og hjemmetjenesten har fått bedre tid på morgenen.",
        "reuse_guide": "Å kopiere en kommune av samme type sparte oss for det meste av planleggingen.",
        "contact": "Helse og omsorg, Vevelstad kommune – helse@demo.no",
        "sectors": [Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.PRODUCT],
        "workplace_type": WorkplaceType.HOME_CARE,
        "stage": Stage.PILOT,
        "benefits": [Benefit.EFFICIENCY, Benefit.STAFF],
        "tags": ["velferdsteknologi", "multidoserobot", "liten kommune"],
        "origin": Origin.COPIED,
        "source_case": "multidoserobot-spredtbygd",
    },
    {
        "slug": "tidlig-innsats",
        "owner": "bodo",
        "author": "bodo@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2024, 11, 4),
        "submitted_on": D(2024, 11, 18),
        "published_on": D(2024, 11, 26),
        "title": "Tidlig innsats – fra bekymring til tiltak på fire uker",
        "summary": (
            "Barnehage, skole, helsestasjon og barnevern bruker én felles handlingsveileder når "
            "de er bekymret for et barn. Målet er at ingen bekymring blir liggende, og at "
            "familien får hjelp innen fire uker."
        ),
        "problem": _md(
            """
            Ansatte som var bekymret for et barn, visste ikke alltid hvem de skulle gå til.
            Bekymringer ble liggende, eller gikk rett til barnevernet når et lavterskeltilbud
            hadde vært bedre.
            """
        ),
        "solution": _md(
            """
            - En felles handlingsveileder på fire nivåer, fra samtale med foreldrene til
              tverrfaglig team.
            - Faste kontaktpersoner i hver barnehage og skole.
            - Et tverrfaglig team som møtes hver uke og kan settes sammen på kort varsel.
            """
        ),
        "results": _md(
            """
            Flere saker løses på lavt nivå, og færre bekymringsmeldinger kommer sent. Foreldre
            opplever at de blir tatt med tidligere.
            """
        ),
        "reuse_guide": _md(
            """
            Veilederen må lages lokalt, men strukturen kan gjenbrukes. Sett av tid til felles
            opplæring på tvers av tjenestene.
            """
        ),
        "contact": "Oppvekst og kultur, Bodø kommune – tidliginnsats@demo.no",
        "sectors": [Sector.EDUCATION, Sector.WELFARE, Sector.HEALTH_CARE],
        "innovation_types": [InnovationType.PROCESS],
        "workplace_type": WorkplaceType.KINDERGARTEN,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.QUALITY, Benefit.CITIZEN_INFLUENCE],
        "tags": ["tidlig innsats", "tverrfaglig samarbeid", "barn og unge", "bti"],
        "origin": Origin.ADAPTED,
        "source_description": (
            "BTI – Bedre tverrfaglig innsats, modellen for samordnet innsats for barn og unge "
            "som flere kommuner har prøvd."
        ),
    },
    {
        "slug": "merapent-bibliotek",
        "owner": "voss",
        "author": "voss@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2025, 1, 13),
        "submitted_on": D(2025, 1, 27),
        "published_on": D(2025, 2, 4),
        "title": "Meråpent bibliotek",
        "summary": (
            "Innbyggerne kan låse seg inn på biblioteket med lånekort og PIN-kode fra klokka "
            "7 til 23 alle dager, også når ingen ansatte er på jobb. Biblioteket er blitt en "
            "møteplass for flere, særlig kveld og helg."
        ),
        "problem": _md(
            """
            Biblioteket var bare åpent på dagtid, mens mange innbyggere og studenter hadde tid
            om kvelden og i helgene. Utvidet betjent åpningstid var for dyrt.
            """
        ),
        "solution": _md(
            """
            Vi kopierte den danske modellen med selvbetjente timer: adgangskontroll med
            lånekort, selvbetjent utlån og innlevering, kameraovervåking av inngangen og tydelige
            regler for bruken. Betjent tid er som før.
            """
        ),
        "results": _md(
            """
            Biblioteket er åpent over tre ganger så mange timer som før, og besøket har økt.
            Lag og foreninger bruker lokalene om kvelden.
            """
        ),
        "reuse_guide": _md(
            """
            Kostnaden er først og fremst adgangssystemet. Avklar kameraovervåkingen med
            personvernombudet, og ha en plan for hvem som rykker ut ved alarm.
            """
        ),
        "contact": "Voss bibliotek – bibliotek@demo.no",
        "sectors": [Sector.CULTURE],
        "innovation_types": [InnovationType.SERVICE],
        "workplace_type": WorkplaceType.CULTURE,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.CITIZEN_INFLUENCE, Benefit.QUALITY],
        "tags": ["meråpent bibliotek", "bibliotek", "selvbetjening", "møteplass"],
        "origin": Origin.COPIED,
        "source_description": (
            "De danske «åbne biblioteker»: folkebibliotek i Danmark som har hatt selvbetjente "
            "åpningstimer med adgangskontroll siden midten av 2000-tallet."
        ),
    },
    {
        "slug": "e-rom-sensorteknologi",
        "owner": "hjemmetjenesten-i-bodo",
        "author": "hjemmetjenesten.bodo@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2025, 3, 3),
        "submitted_on": D(2025, 3, 17),
        # Sent back once: the moderator asked for costs and privacy before publishing.
        "review": {
            "requested_on": D(2025, 3, 20),
            "reason": (
                "Fin sak! Legg til hva e-rommet koster i drift og hvordan personvernet er "
                "ivaretatt, så andre kommuner kan vurdere gjenbruk."
            ),
            "edited_on": D(2025, 3, 31),
            "changes": {
                "reuse_guide": _md(
                    """
                    **Kostnad:** e-rommet er bemannet med to årsverk på dagtid og deler
                    nattbemanning med legevakta. Sensorene leies per bruker.

                    **Personvern:** sensorene registrerer bevegelse, ikke bilder.
                    Personvernkonsekvensvurderingen kan deles med andre kommuner.

                    **Fallgruver:** for mange varsler i starten; juster terskelverdiene sammen
                    med de ansatte.
                    """
                ),
            },
            "resubmitted_on": D(2025, 4, 2),
        },
        "published_on": D(2025, 4, 8),
        "title": "E-rom og sensorteknologi i hjemmetjenesten",
        "summary": (
            "Et bemannet e-rom følger med på digitalt tilsyn, sensorer og trygghetsalarmer for "
            "hjemmeboende. Nattlige tilsynsbesøk erstattes av sensorer der brukeren ønsker det, "
            "og ansatte rykker ut når det faktisk trengs."
        ),
        "problem": _md(
            """
            Nattpatruljen kjørte rundt for å se til brukere som sov, og vekket dem ofte. Samtidig
            tok det tid før noen oppdaget et fall.
            """
        ),
        "solution": _md(
            """
            - Bevegelses- og dørsensorer hos brukere som samtykker.
            - Et e-rom bemannet med sykepleiere som tar imot varsler og alarmer, og ringer eller
              ser til brukeren på kamera når det er avtalt.
            - Nattpatruljen rykker ut på varsel i stedet for å kjøre faste runder.
            """
        ),
        "results": _md(
            """
            Færre uønskede nattbesøk, raskere hjelp ved fall og bedre søvn for brukerne. Ansatte
            i e-rommet opplever at de bruker fagkompetansen sin bedre.
            """
        ),
        "reuse_guide": "Ta kontakt, så deler vi rutinene våre.",
        "contact": "Tor Pedersen, leder for e-rommet, Hjemmetjenesten i Bodø – tor.pedersen@demo.no",
        "sectors": [Sector.HEALTH_CARE, Sector.TECHNICAL],
        "innovation_types": [InnovationType.SERVICE, InnovationType.PRODUCT],
        "workplace_type": WorkplaceType.HOME_CARE,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.EFFICIENCY, Benefit.QUALITY, Benefit.STAFF],
        "tags": ["e-rom", "sensorteknologi", "digitalt tilsyn", "velferdsteknologi"],
        "origin": Origin.FIRST,
    },
    {
        "slug": "optimalisert-mannskapsplanlegging",
        "owner": "more-og-romsdal-fylkeskommune",
        "author": "more.fylke@demo.no",
        "status": CaseStatus.PUBLISHED,
        "created_on": D(2025, 9, 1),
        "submitted_on": D(2025, 9, 15),
        "published_on": D(2025, 9, 23),
        "title": "Optimalisert mannskaps- og ruteplanlegging for ferjesambandene",
        "summary": (
            "Fylkeskommunen og forskere bruker matematisk optimering til å sette sammen ruter "
            "og mannskapsplaner før ferjesambandene lyses ut. Modellen viser hva ulike "
            "ruteplaner koster i mannskap og energi."
        ),
        "problem": _md(
            """
            Ruteplanene i ferjeanbudene ble laget for hånd. Små endringer i avgangstider kunne
            kreve et ekstra mannskap på ferja, og fylkeskommunen visste ikke hva en ruteplan
            ville koste før tilbudene kom.
            """
        ),
        "solution": _md(
            """
            Sammen med SINTEF og NTNU har fylkeskommunen laget en optimeringsmodell som
            setter sammen ruteplan, mannskapsplan og lading av elferjer. Planleggerne kan prøve
            ut alternativer og se konsekvensene for kostnad, energibruk og tilbud før
            utlysningen.
            """
        ),
        "results": _md(
            """
            I pilotsambandet fant modellen en ruteplan med samme tilbud og ett mannskap
            mindre. Modellen skal brukes i de neste utlysningene.
            """
        ),
        "reuse_guide": _md(
            """
            Modellen kan tilpasses andre samband og andre fylkeskommuner, men krever gode data
            om dagens trafikk og en planlegger som kan bruke verktøyet.
            """
        ),
        "contact": "Samferdselsavdelinga, Møre og Romsdal fylkeskommune – ferjeplan@demo.no",
        "sectors": [Sector.TRANSPORT],
        "innovation_types": [InnovationType.PROCESS],
        "workplace_type": WorkplaceType.ADMINISTRATION,
        "stage": Stage.PILOT,
        "benefits": [Benefit.AVOIDED_COSTS, Benefit.EFFICIENCY, Benefit.BUSINESS],
        "tags": [
            "optimering",
            "ferje",
            "mannskapsplanlegging",
            "operasjonsanalyse",
            "anskaffelser",
        ],
        "partners": ["sintef", "ntnu"],
        "origin": Origin.FIRST,
        "links": [{"url": "https://www.sintef.no/", "title": "SINTEF"}],
    },
    # Not published: one draft, one waiting in the moderation queue.
    {
        "slug": "ki-stotte-i-byggesaksbehandlingen",
        "owner": "oslo",
        "author": EMPLOYEE_EMAIL,
        "status": CaseStatus.DRAFT,
        "created_on": D(2026, 9, 14),
        "title": "KI-støtte i byggesaksbehandlingen",
        "summary": (
            "Vi prøver ut en KI-assistent som sjekker om byggesøknader er komplette før en "
            "saksbehandler ser på dem."
        ),
        "problem": _md(
            """
            Mange byggesøknader mangler dokumenter, og saksbehandlerne bruker mye tid på å be om
            det som mangler.
            """
        ),
        "sectors": [Sector.PLANNING, Sector.TECHNICAL],
        "innovation_types": [InnovationType.PROCESS],
        "workplace_type": WorkplaceType.TECHNICAL,
        "stage": Stage.IDEA,
        "tags": ["kunstig intelligens", "byggesak"],
        "origin": Origin.UNKNOWN,
    },
    {
        "slug": "chatbot-for-innbyggersporsmal",
        "owner": "alesund",
        "author": "alesund@demo.no",
        "status": CaseStatus.SUBMITTED,
        "created_on": D(2026, 10, 12),
        "submitted_on": D(2026, 10, 20),
        "title": "Chatbot for innbyggerspørsmål",
        "summary": (
            "En chatbot på kommunens nettsider svarer på de vanligste spørsmålene om alt fra "
            "renovasjon til barnehageplass, hele døgnet."
        ),
        "problem": _md(
            """
            Servicetorget fikk de samme spørsmålene om og om igjen, og innbyggerne ringte i
            åpningstiden for å få svar som allerede sto på nettsidene.
            """
        ),
        "solution": _md(
            """
            Vi tok i bruk den samme chatboten som mange andre kommuner bruker, og la inn
            svarene på våre lokale spørsmål. Når chatboten ikke kan svare, sender den
            innbyggeren videre til servicetorget.
            """
        ),
        "results": "For tidlig å si; chatboten har vært i drift i tre måneder.",
        "contact": "Servicetorget, Ålesund kommune – servicetorget@demo.no",
        "sectors": [Sector.ADMINISTRATION],
        "innovation_types": [InnovationType.COMMUNICATION],
        "workplace_type": WorkplaceType.ADMINISTRATION,
        "stage": Stage.IN_USE,
        "benefits": [Benefit.EFFICIENCY, Benefit.CITIZEN_INFLUENCE],
        "tags": ["chatbot", "innbyggerdialog", "servicetorg"],
        "origin": Origin.COPIED,
        "source_description": "Den felles chatboten som et samarbeid av norske kommuner har utviklet.",
    },
]

# ------------------------------------------------------------------------------------------
# Reuse records (besides the two recorded automatically when a case naming a source case is
# published). Network is the most common channel, as in the barometers. `confirmed_on`: the
# owner's editor confirmed the reuse that day.
# ------------------------------------------------------------------------------------------

ADAPTED, COPIED = AdoptionMode.ADAPTED, AdoptionMode.COPIED
IN_USE, PLANNED, DISCONTINUED = (
    AdoptionStatus.IN_USE,
    AdoptionStatus.PLANNED,
    AdoptionStatus.DISCONTINUED,
)


def _adoption(
    case, organisation, mode, channel, adopted_on, status=IN_USE, note="", confirmed_on=None
):
    return {
        "case": case,
        "organisation": organisation,
        "mode": mode,
        "channel": channel,
        "adopted_on": adopted_on,
        "status": status,
        "note": note,
        "confirmed_on": confirmed_on,
    }


ADOPTIONS: list[Spec] = [
    # Mobile X-ray: the most reused case, eight organisations in eight counties.
    _adoption(
        "mobil-rontgen",
        "bergen",
        ADAPTED,
        Channel.NETWORK,
        D(2023, 5, 10),
        note="Drives sammen med Haukeland; bilen dekker også legevakta.",
        confirmed_on=D(2023, 6, 1),
    ),
    _adoption(
        "mobil-rontgen",
        "trondheim",
        ADAPTED,
        Channel.NETWORK,
        D(2023, 8, 22),
        note="Samarbeid med St. Olavs hospital; også ultralyd.",
        confirmed_on=D(2023, 9, 5),
    ),
    _adoption(
        "mobil-rontgen",
        "stavanger",
        COPIED,
        Channel.CONFERENCE,
        D(2023, 10, 3),
        note="Hørte om tjenesten på en helsekonferanse og kopierte avtalen med sykehuset.",
        confirmed_on=D(2023, 10, 10),
    ),
    _adoption(
        "mobil-rontgen",
        "kristiansand",
        ADAPTED,
        Channel.NETWORK,
        D(2024, 1, 15),
        note="Deler bilen med to nabokommuner.",
    ),
    _adoption(
        "mobil-rontgen",
        "bodo",
        ADAPTED,
        Channel.DIRECT,
        D(2024, 4, 9),
        note="Kortere åpningstid, tilpasset færre sykehjem.",
        confirmed_on=D(2024, 4, 20),
    ),
    _adoption(
        "mobil-rontgen",
        "tromso",
        ADAPTED,
        Channel.NETWORK,
        D(2024, 6, 12),
        DISCONTINUED,
        note="Avsluttet etter piloten: for få undersøkelser til å forsvare egen bil.",
    ),
    _adoption("mobil-rontgen", "alesund", COPIED, Channel.PLATFORM, D(2025, 1, 20)),
    _adoption(
        "mobil-rontgen",
        "lillehammer",
        ADAPTED,
        Channel.CONFERENCE,
        D(2026, 9, 1),
        PLANNED,
        note="Planlegges sammen med Sykehuset Innlandet fra neste år.",
    ),
    # Vandreboka: spread between county municipalities.
    _adoption(
        "vandreboka",
        "nordland-fylkeskommune",
        COPIED,
        Channel.NETWORK,
        D(2023, 9, 18),
        confirmed_on=D(2023, 10, 2),
    ),
    _adoption(
        "vandreboka",
        "vestland-fylkeskommune",
        ADAPTED,
        Channel.CONFERENCE,
        D(2024, 2, 5),
        note="Koblet til eget fagsystem for lærekontrakter.",
    ),
    _adoption(
        "vandreboka",
        "agder-fylkeskommune",
        COPIED,
        Channel.NETWORK,
        D(2024, 8, 19),
        confirmed_on=D(2024, 9, 1),
    ),
    _adoption(
        "vandreboka",
        "innlandet-fylkeskommune",
        ADAPTED,
        Channel.RESEARCH,
        D(2025, 8, 11),
        PLANNED,
    ),
    # Medicine robots: suppliers spread technology too.
    _adoption(
        "medisinrobot-multidose",
        "stavanger",
        COPIED,
        Channel.SUPPLIER,
        D(2023, 11, 6),
    ),
    _adoption(
        "medisinrobot-multidose",
        "tromso",
        ADAPTED,
        Channel.SUPPLIER,
        D(2024, 9, 16),
        note="Egne utvalgskriterier for brukere med rus og psykiske lidelser.",
        confirmed_on=D(2024, 10, 1),
    ),
    _adoption("medisinrobot-multidose", "voss", COPIED, Channel.NETWORK, D(2025, 5, 12)),
    _adoption(
        "multidoserobot-spredtbygd",
        "rost",
        COPIED,
        Channel.NETWORK,
        D(2025, 4, 22),
    ),
    _adoption(
        "vekslingsmodellen",
        "telemark-fylkeskommune",
        ADAPTED,
        Channel.NETWORK,
        D(2024, 6, 10),
        note="Brukes i elektrofag og helsefag.",
        confirmed_on=D(2024, 6, 20),
    ),
    _adoption(
        "vekslingsmodellen", "agder-fylkeskommune", ADAPTED, Channel.CONFERENCE, D(2025, 1, 13)
    ),
    _adoption("felles-digitale-laeremidler", "utsira", COPIED, Channel.DIRECT, D(2024, 8, 12)),
    _adoption(
        "felles-digitale-laeremidler",
        "voss",
        ADAPTED,
        Channel.NETWORK,
        D(2025, 2, 17),
        note="Gjennom innkjøpssamarbeidet i regionen.",
    ),
    _adoption(
        "omvendt-undervisning",
        "rost",
        ADAPTED,
        Channel.MEDIA,
        D(2024, 11, 11),
        note="Bruker videoene i fjernundervisning for ungdomstrinnet.",
    ),
    _adoption("omvendt-undervisning", "levanger", COPIED, Channel.PLATFORM, D(2025, 9, 8)),
    _adoption("tidlig-innsats", "vevelstad", ADAPTED, Channel.NETWORK, D(2025, 6, 2)),
    _adoption("tidlig-innsats", "tromso", ADAPTED, Channel.RESEARCH, D(2025, 10, 13), PLANNED),
    _adoption(
        "langvakter-ny-turnus",
        "levanger",
        ADAPTED,
        Channel.NETWORK,
        D(2025, 3, 10),
        confirmed_on=D(2025, 3, 25),
    ),
    _adoption(
        "langvakter-ny-turnus",
        "kristiansand",
        ADAPTED,
        Channel.CONFERENCE,
        D(2025, 8, 18),
    ),
    _adoption(
        "en-dor-inn",
        "levanger",
        COPIED,
        Channel.NETWORK,
        D(2024, 5, 13),
        confirmed_on=D(2024, 5, 27),
    ),
    _adoption("en-dor-inn", "alesund", ADAPTED, Channel.CONFERENCE, D(2025, 4, 7)),
    _adoption("en-dor-inn", "bergen", ADAPTED, Channel.DIRECT, D(2026, 2, 2)),
    _adoption("nytt-maltidsmonster", "bergen", ADAPTED, Channel.PLATFORM, D(2025, 10, 6)),
    _adoption("nytt-maltidsmonster", "voss", COPIED, Channel.NETWORK, D(2026, 3, 9)),
    _adoption("e-rom-sensorteknologi", "tromso", ADAPTED, Channel.NETWORK, D(2025, 11, 17)),
    _adoption(
        "optimalisert-mannskapsplanlegging",
        "nordland-fylkeskommune",
        ADAPTED,
        Channel.RESEARCH,
        D(2026, 4, 20),
        PLANNED,
    ),
    _adoption("merapent-bibliotek", "levanger", COPIED, Channel.CONFERENCE, D(2025, 6, 16)),
    _adoption(
        "merapent-bibliotek",
        "utsira",
        ADAPTED,
        Channel.OTHER,
        D(2026, 1, 19),
        note="Meråpent i kombinasjon med skolebiblioteket.",
    ),
]

# What owners did to spread their cases (6 of the 15 owners of published cases: 4 in 10).
SPREAD_ACTIVITIES: list[Spec] = [
    {
        "organisation": "oslo",
        "case": "mobil-rontgen",
        "kind": SpreadKind.NETWORK_MEETING,
        "channel": Channel.NETWORK,
        "occurred_on": D(2023, 3, 15),
        "description": "Presentert i det regionale nettverket for helse og omsorg.",
    },
    {
        "organisation": "oslo",
        "case": "mobil-rontgen",
        "kind": SpreadKind.CONFERENCE,
        "channel": Channel.CONFERENCE,
        "occurred_on": D(2023, 6, 7),
        "description": "Innlegg på en nasjonal konferanse om helse og omsorg.",
    },
    {
        "organisation": "oslo",
        "case": "mobil-rontgen",
        "kind": SpreadKind.ARTICLE,
        "channel": Channel.MEDIA,
        "occurred_on": D(2024, 2, 20),
        "description": "Fagartikkel om erfaringene etter ett år.",
    },
    {
        "organisation": "trondelag-fylkeskommune",
        "case": "vandreboka",
        "kind": SpreadKind.CONFERENCE,
        "channel": Channel.CONFERENCE,
        "occurred_on": D(2023, 9, 12),
        "description": "Presentert på den nasjonale konferansen for fagopplæring.",
    },
    {
        "organisation": "kristiansand",
        "case": "medisinrobot-multidose",
        "kind": SpreadKind.VISIT,
        "channel": Channel.DIRECT,
        "occurred_on": D(2023, 10, 18),
        "description": "Studiebesøk fra fem kommuner på Vestlandet.",
    },
    {
        "organisation": "trondheim",
        "case": "en-dor-inn",
        "kind": SpreadKind.NETWORK_MEETING,
        "channel": Channel.NETWORK,
        "occurred_on": D(2024, 3, 14),
        "description": "Presentert i KS' nettverk for tildeling av helse- og omsorgstjenester.",
    },
    {
        "organisation": "vestfold-fylkeskommune",
        "case": "vekslingsmodellen",
        "kind": SpreadKind.NETWORK_MEETING,
        "channel": Channel.NETWORK,
        "occurred_on": D(2024, 4, 25),
        "description": "Delt i fylkeskommunenes nettverk for fag- og yrkesopplæring.",
    },
    {
        "organisation": "lillehammer",
        "case": "langvakter-ny-turnus",
        "kind": SpreadKind.CONFERENCE,
        "channel": Channel.CONFERENCE,
        "occurred_on": D(2025, 2, 11),
        "description": "Innlegg om heltidskultur på en regional konferanse.",
    },
]


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


def at(day: dt.date, hour: int) -> dt.datetime:
    """A fixed moment on a demo day, in Norwegian time."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TIME_ZONE)


@contextmanager
def _collecting(*models):
    """The primary keys of the rows of `models` created inside the block, by model.

    Collected from post_save signals, so exactly the rows this process wrote are found, never
    rows someone else wrote in the meantime.
    """
    written: dict = {model: [] for model in models}

    def collect(sender, instance, created, **kwargs):
        if created:
            written[sender].append(instance.pk)

    for model in models:
        post_save.connect(collect, sender=model, weak=False)
    try:
        yield written
    finally:
        for model in models:
            post_save.disconnect(collect, sender=model)


@contextmanager
def _dated(when: dt.datetime):
    """Move what the service calls inside the block write back to `when`: their case events,
    queued emails and any adoption they recorded (including the automatic one when a case
    that names a source case is published)."""
    with _collecting(CaseEvent, OutgoingEmail, Adoption) as written:
        yield
    CaseEvent.objects.filter(pk__in=written[CaseEvent]).update(created_at=when)
    OutgoingEmail.objects.filter(pk__in=written[OutgoingEmail]).update(created_at=when)
    Adoption.all_objects.filter(pk__in=written[Adoption]).update(
        created_at=when, updated_at=when, adopted_on=when.date()
    )
    # The new dates went around Adoption.save: count the cases' first adoption date again.
    refresh_adoption_counters(
        Adoption.all_objects.filter(pk__in=written[Adoption]).values_list("case_id", flat=True)
    )


def _first_user(organisation: str, *, role: str | None = None) -> str:
    for spec in USERS:
        for slug, member_role in spec["memberships"]:
            if slug == organisation and role in (None, member_role):
                return spec["email"]
    raise LookupError(f"The demo has no user ({role or 'any role'}) in {organisation}.")


def _organisations(created: Counter) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    new: list[int] = []

    def remember(spec, org, was_created):
        orgs[spec["slug"]] = org
        if was_created:
            new.append(org.pk)

    for spec in COUNTIES:
        org, was_created = Organisation.all_objects.get_or_create(
            kind=OrganisationKind.COUNTY,
            number=spec["number"],
            defaults={"name": spec["name"], "slug": spec["slug"], "region": spec["region"]},
        )
        remember(spec, org, was_created)
    for spec in MUNICIPALITIES:
        fields: Spec = {k: v for k, v in spec.items() if k not in ("number", "county")}
        org, was_created = Organisation.all_objects.get_or_create(
            kind=OrganisationKind.MUNICIPALITY,
            number=spec["number"],
            defaults={**fields, "parent": orgs[spec["county"]]},
        )
        remember(spec, org, was_created)
    for spec in OTHER_ORGANISATIONS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "parent")}
        if "parent" in spec:
            fields["parent"] = orgs[spec["parent"]]
        org, was_created = Organisation.all_objects.get_or_create(
            slug=spec["slug"], defaults=fields
        )
        remember(spec, org, was_created)
    if new:
        Organisation.all_objects.filter(pk__in=new).update(created_at=JOINED, updated_at=JOINED)
    created["organisations"] += len(new)
    return orgs


def _users(orgs: dict[str, Organisation], created: Counter) -> dict:
    User = get_user_model()
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    # One hash for every demo user: hashing is deliberately slow, and the password is the same.
    password = make_password(PASSWORD)
    for spec in USERS:
        superuser = spec.get("superuser", False)
        user, was_created = User.objects.get_or_create(
            email=spec["email"],
            defaults={
                "full_name": spec["full_name"],
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
                "email_verified_at": JOINED,
                "date_joined": JOINED,
            },
        )
        created["users"] += was_created
        if spec.get("moderator") and not user.groups.filter(pk=moderators.pk).exists():
            user.groups.add(moderators)
            created["moderator group memberships"] += 1
        for slug, role in spec["memberships"]:
            membership, was_created = Membership.objects.get_or_create(
                user=user,
                organisation=orgs[slug],
                defaults={
                    "role": role,
                    "status": MembershipStatus.ACTIVE,
                    "approved_at": JOINED,
                },
            )
            if was_created:
                Membership.objects.filter(pk=membership.pk).update(created_at=JOINED)
                created["memberships"] += 1
    # Fresh objects: the permission checks cache roles on the user object.
    return {u.email: u for u in User.objects.filter(email__in=[s["email"] for s in USERS])}


def _content(spec: dict, orgs: dict[str, Organisation]) -> dict:
    data = {field: spec[field] for field in CONTENT_FIELDS if field in spec}
    if "partners" in data:
        data["partners"] = [orgs[slug].pk for slug in data["partners"]]
    if "source_case" in data:
        data["source_case"] = Case.all_objects.get(slug=data["source_case"]).pk
    return data


def _write_case(spec: dict, orgs, users, moderator) -> Case:
    """Take one case through the workflow as its author and the moderator would, then date it."""
    author = users[spec["author"]]
    with _dated(at(spec["created_on"], 9)):
        case = services.case_create(
            actor=author, organisation=orgs[spec["owner"]], data=_content(spec, orgs)
        )
        # The service makes the slug from the title (dropping æ, ø, å); the demo's slugs are
        # fixed so that it can find its cases again.
        Case.all_objects.filter(pk=case.pk).update(slug=spec["slug"])
    times = {"created_at": at(spec["created_on"], 9), "updated_at": at(spec["created_on"], 9)}
    if spec["status"] == CaseStatus.DRAFT:
        Case.all_objects.filter(pk=case.pk).update(**times)
        return case
    with _dated(at(spec["submitted_on"], 14)):
        services.case_submit(actor=author, case=case)
    times["submitted_at"] = at(spec["submitted_on"], 14)
    review = spec.get("review")
    if review:
        with _dated(at(review["requested_on"], 10)):
            services.case_request_changes(actor=moderator, case=case, reason=review["reason"])
        with _dated(at(review["edited_on"], 13)):
            services.case_update(actor=author, case=case, data=review["changes"])
        with _dated(at(review["resubmitted_on"], 14)):
            services.case_submit(actor=author, case=case)
        times["updated_at"] = at(review["edited_on"], 13)
        times["submitted_at"] = at(review["resubmitted_on"], 14)
    if spec["status"] == CaseStatus.PUBLISHED:
        with _dated(at(spec["published_on"], 11)):
            services.case_approve(
                actor=moderator, case=case, reviewed_version=services.case_version(case)
            )
        times["published_at"] = times["updated_at"] = at(spec["published_on"], 11)
    Case.all_objects.filter(pk=case.pk).update(**times)
    return case


def _cases(orgs, users, created: Counter) -> dict[str, Case]:
    moderator = users[MODERATOR_EMAIL]
    cases = {}
    for spec in CASES:
        case = Case.all_objects.filter(slug=spec["slug"]).first()
        if case is None:
            case = _write_case(spec, orgs, users, moderator)
            created["cases"] += 1
        cases[spec["slug"]] = case
    return cases


def _adoptions(orgs, users, cases: dict[str, Case], created: Counter) -> None:
    owners = {spec["slug"]: spec["owner"] for spec in CASES}
    for spec in ADOPTIONS:
        case, organisation = cases[spec["case"]], orgs[spec["organisation"]]
        if Adoption.all_objects.filter(case=case, organisation=organisation).exists():
            continue
        with _dated(at(spec["adopted_on"], 10)):
            adoption = services.adoption_record(
                actor=users[_first_user(spec["organisation"])],
                case=case,
                organisation=organisation,
                mode=spec["mode"],
                channel=spec["channel"],
                adopted_on=spec["adopted_on"],
                status=spec["status"],
                note=spec["note"],
            )
        created["adoptions"] += 1
        if spec["confirmed_on"]:
            when = at(spec["confirmed_on"], 13)
            confirmer = users[_first_user(owners[spec["case"]], role=MembershipRole.EDITOR)]
            with _dated(when):
                services.adoption_confirm(actor=confirmer, adoption=adoption)
            Adoption.all_objects.filter(pk=adoption.pk).update(confirmed_at=when, updated_at=when)


def _spread_activities(orgs, users, cases: dict[str, Case], created: Counter) -> None:
    for spec in SPREAD_ACTIVITIES:
        organisation, case = orgs[spec["organisation"]], cases[spec["case"]]
        identity = {
            "organisation": organisation,
            "case": case,
            "kind": spec["kind"],
            "occurred_on": spec["occurred_on"],
        }
        if SpreadActivity.objects.filter(**identity).exists():
            continue
        activity = services.spread_activity_record(
            actor=users[_first_user(spec["organisation"])],
            channel=spec["channel"],
            description=spec["description"],
            **identity,
        )
        SpreadActivity.objects.filter(pk=activity.pk).update(created_at=at(spec["occurred_on"], 12))
        created["spread activities"] += 1


def seed() -> Counter:
    """Write whatever part of the demo is missing. Returns what was created, by kind.

    One transaction: the demo is written completely or not at all. The services queue
    notification emails (OutgoingEmail rows, sent after the commit). The demo's addresses are
    made up and its events happened "years ago", so before the commit the demo's rows are
    marked as sent: the after-commit sender and `send_queued_email` skip them, nothing floods
    the console or a real mail server, and the outbox still shows what would have gone out.
    No setting is overridden, so the services run exactly as they do on the site.
    """
    created: Counter = Counter()
    with transaction.atomic(), _collecting(OutgoingEmail) as written:
        orgs = _organisations(created)
        users = _users(orgs, created)
        cases = _cases(orgs, users, created)
        _adoptions(orgs, users, cases, created)
        _spread_activities(orgs, users, cases, created)
        OutgoingEmail.objects.filter(pk__in=written[OutgoingEmail], sent_at__isnull=True).update(
            sent_at=F("created_at")
        )
    return +created  # drop the kinds of which nothing was created
