"""The demo cases not published: one draft, one waiting in the moderation queue."""

from cases.vocabularies import (
    Benefit,
    CaseStatus,
    InnovationType,
    Origin,
    Sector,
    Stage,
    WorkplaceType,
)

from .people import EMPLOYEE_EMAIL
from .records import D, Spec, md

CASES: list[Spec] = [
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
        "problem": md(
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
        "problem": md(
            """
            Servicetorget fikk de samme spørsmålene om og om igjen, og innbyggerne ringte i
            åpningstiden for å få svar som allerede sto på nettsidene.
            """
        ),
        "solution": md(
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
