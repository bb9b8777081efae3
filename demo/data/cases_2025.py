"""The demo cases published in 2025, in the order they were published."""

from cases.vocabularies import (
    Benefit,
    CaseStatus,
    InnovationType,
    Origin,
    Sector,
    Stage,
    WorkplaceType,
)

from .records import D, Spec, md

CASES: list[Spec] = [
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
        "problem": md(
            """
            Biblioteket var bare åpent på dagtid, mens mange innbyggere og studenter hadde tid
            om kvelden og i helgene. Utvidet betjent åpningstid var for dyrt.
            """
        ),
        "solution": md(
            """
            Vi kopierte den danske modellen med selvbetjente timer: adgangskontroll med
            lånekort, selvbetjent utlån og innlevering, kameraovervåking av inngangen og tydelige
            regler for bruken. Betjent tid er som før.
            """
        ),
        "results": md(
            """
            Biblioteket er åpent over tre ganger så mange timer som før, og besøket har økt.
            Lag og foreninger bruker lokalene om kvelden.
            """
        ),
        "reuse_guide": md(
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
                "reuse_guide": md(
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
        "problem": md(
            """
            Nattpatruljen kjørte rundt for å se til brukere som sov, og vekket dem ofte. Samtidig
            tok det tid før noen oppdaget et fall.
            """
        ),
        "solution": md(
            """
            - Bevegelses- og dørsensorer hos brukere som samtykker.
            - Et e-rom bemannet med sykepleiere som tar imot varsler og alarmer, og ringer eller
              ser til brukeren på kamera når det er avtalt.
            - Nattpatruljen rykker ut på varsel i stedet for å kjøre faste runder.
            """
        ),
        "results": md(
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
        "problem": md(
            """
            Ruteplanene i ferjeanbudene ble laget for hånd. Små endringer i avgangstider kunne
            kreve et ekstra mannskap på ferja, og fylkeskommunen visste ikke hva en ruteplan
            ville koste før tilbudene kom.
            """
        ),
        "solution": md(
            """
            Sammen med SINTEF og NTNU har fylkeskommunen laget en optimeringsmodell som
            setter sammen ruteplan, mannskapsplan og lading av elferjer. Planleggerne kan prøve
            ut alternativer og se konsekvensene for kostnad, energibruk og tilbud før
            utlysningen.
            """
        ),
        "results": md(
            """
            I pilotsambandet fant modellen en ruteplan med samme tilbud og ett mannskap
            mindre. Modellen skal brukes i de neste utlysningene.
            """
        ),
        "reuse_guide": md(
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
]
