"""Reuse of the demo cases: adoption records and the owners' spread activities."""

from cases.vocabularies import AdoptionMode, AdoptionStatus, Channel, SpreadKind

from .records import D, Spec

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
