"""The Norwegian words of the generated cases: topics, sentences, names, and a case's text."""

from __future__ import annotations

import random

from cases.text import norwegian_slug
from cases.vocabularies import Sector

from .common import WT, Org

# The tables are keyed by the choices' values: model fields hold them as plain strings.

# Workplace nouns: indefinite, definite singular, indefinite plural, the people it serves.
WORKPLACE_WORDS: dict[str, tuple[str, str, str, str]] = {
    WT.PRIMARY_SCHOOL: ("skole", "skolen", "skoler", "elevene"),
    WT.UPPER_SECONDARY: ("videregående skole", "skolen", "videregående skoler", "elevene"),
    WT.KINDERGARTEN: ("barnehage", "barnehagen", "barnehager", "barna"),
    WT.NURSING_HOME: ("sykehjem", "sykehjemmet", "sykehjem", "beboerne"),
    WT.HOME_CARE: ("hjemmetjeneste", "hjemmetjenesten", "hjemmetjenester", "brukerne"),
    WT.HEALTH_CENTRE: ("helsestasjon", "helsestasjonen", "helsestasjoner", "familiene"),
    WT.CHILD_WELFARE: ("barneverntjeneste", "barneverntjenesten", "barneverntjenester", "barna"),
    WT.WELFARE_OFFICE: ("NAV-kontor", "NAV-kontoret", "NAV-kontorer", "brukerne"),
    WT.CULTURE: ("kulturhus", "kulturhuset", "kulturhus", "innbyggerne"),
    WT.TECHNICAL: ("driftsavdeling", "driftsavdelingen", "driftsavdelinger", "innbyggerne"),
    WT.ADMINISTRATION: ("rådhus", "rådhuset", "kommuner", "innbyggerne"),
    WT.OTHER: ("tjeneste", "tjenesten", "tjenester", "innbyggerne"),
}

# Topics: title, the thing itself in running text, tags. Derived cases keep their source's topic.
TOPICS: dict[str, list[tuple[str, str, list[str]]]] = {
    Sector.HEALTH_CARE: [
        ("Mobil røntgen på sykehjem", "mobil røntgen", ["røntgen", "sykehjem", "ambulant"]),
        ("Multidoserobot", "multidoserobot", ["medisinrobot", "legemidler", "velferdsteknologi"]),
        ("Digitalt tilsyn om natten", "digitalt tilsyn", ["digitalt tilsyn", "velferdsteknologi"]),
        ("Hverdagsrehabilitering", "hverdagsrehabilitering", ["rehabilitering", "mestring"]),
        (
            "Elektroniske medisindispensere",
            "elektroniske medisindispensere",
            ["medisindispenser", "velferdsteknologi", "legemidler"],
        ),
        ("Sensorer som varsler fall", "fallsensorer", ["sensor", "fall", "velferdsteknologi"]),
        ("Heltidskultur med langvakter", "langvakter", ["heltidskultur", "turnus"]),
        ("Videokonsultasjon med fastlegen", "videokonsultasjon", ["video", "samhandling"]),
        ("Demensteam som kommer hjem", "demensteam", ["demens", "pårørende", "ambulant"]),
        ("Ernæringskartlegging for eldre", "ernæringskartlegging", ["ernæring", "eldre"]),
        (
            "Avstandsoppfølging av kronisk syke",
            "avstandsoppfølging",
            ["avstandsoppfølging", "velferdsteknologi", "kols"],
        ),
        ("Digital legemiddelgjennomgang", "legemiddelgjennomgang", ["legemidler", "sykehjem"]),
        ("Aktivitetsvenn for eldre", "aktivitetsvenner", ["frivillighet", "eldre", "aktivitet"]),
        ("Nøkkelfrie dørlåser", "elektroniske dørlåser", ["e-lås", "velferdsteknologi"]),
        ("Sykehjemsplass etter døgnrytme", "døgnrytmelys", ["lys", "søvn", "sykehjem"]),
    ],
    Sector.EDUCATION: [
        ("Vekslingsmodellen", "vekslingsmodellen", ["fagopplæring", "lærling", "yrkesfag"]),
        ("Vandreboka for lærlinger", "Vandreboka", ["lærling", "fagbrev", "yrkesfag"]),
        ("Omvendt undervisning", "omvendt undervisning", ["flipped classroom", "video"]),
        ("Tidlig innsats i lesing", "tidlig innsats i lesing", ["lesing", "tidlig innsats"]),
        ("Uteskole hver uke", "uteskole", ["uteskole", "friluftsliv"]),
        ("Leksehjelp på biblioteket", "leksehjelp", ["leksehjelp", "bibliotek", "inkludering"]),
        ("Språkkartlegging i barnehagen", "språkkartlegging", ["språk", "barnehage"]),
        ("Digital vurdering for læring", "digital vurdering", ["vurdering", "digitalisering"]),
        ("Mobilfri skoledag", "mobilfri skoledag", ["skolemiljø", "mobil"]),
        ("Trivselsledere i friminuttet", "trivselsledere", ["trivsel", "skolemiljø", "mobbing"]),
        ("Tverrfaglig team i skolen", "tverrfaglige team", ["tverrfaglig", "skolehelse"]),
        ("Programmering i matematikk", "programmering", ["programmering", "matematikk"]),
        ("Barnehagebibliotek", "barnehagebibliotek", ["lesing", "barnehage", "bibliotek"]),
        ("Overgang fra barnehage til skole", "overgangsrutiner", ["overgang", "barnehage"]),
    ],
    Sector.TRANSPORT: [
        ("Bestillingstransport i distriktet", "bestillingstransport", ["kollektivtransport"]),
        ("Trygg skolevei", "trygg skolevei", ["trafikksikkerhet", "skolevei"]),
        ("Bildeling for ansatte", "bildeling", ["bildeling", "elbil", "klima"]),
        ("Sykkelparkering med lading", "sykkelparkering", ["sykkel", "klima", "mobilitet"]),
        ("Digital skoleskyss", "digital skoleskyss", ["skoleskyss", "digitalisering"]),
        ("Smart vinterdrift av veier", "smart vinterdrift", ["vinterdrift", "sensor", "vei"]),
        ("Ladepunkter for tjenestebiler", "ladepunkter", ["elbil", "lading", "klima"]),
    ],
    Sector.CULTURE: [
        ("Meråpent bibliotek", "meråpent bibliotek", ["bibliotek", "meråpent"]),
        ("Kulturskole for alle", "kulturskole", ["kulturskole", "inkludering", "barn og unge"]),
        (
            "Den kulturelle spaserstokken",
            "den kulturelle spaserstokken",
            ["eldre", "kultur", "konserter"],
        ),
        ("Frivilligsentral på nett", "digital frivilligsentral", ["frivillighet"]),
        ("Ungdomsklubb med medvirkning", "ungdomsklubben", ["ungdom", "medvirkning", "fritid"]),
        ("Fritidskortet", "fritidskort", ["fritid", "inkludering", "barn og unge"]),
        ("Digitalt lokalhistorisk arkiv", "lokalhistorisk arkiv", ["lokalhistorie", "arkiv"]),
    ],
    Sector.TECHNICAL: [
        ("Digitale vannmålere", "digitale vannmålere", ["vannmåler", "vann og avløp", "sensor"]),
        ("Lekkasjesøk med sensorer", "lekkasjesøk", ["lekkasje", "vann og avløp", "sensor"]),
        ("Smarte avfallsbeholdere", "smarte avfallsbeholdere", ["avfall", "renovasjon"]),
        ("Droner i byggesaksbehandling", "droner", ["drone", "byggesak", "kartlegging"]),
        ("Styrt gatelys", "styrt gatelys", ["gatelys", "energisparing", "klima"]),
        ("Ombrukslager for møbler", "ombrukslager", ["ombruk", "sirkulærøkonomi", "klima"]),
        ("Klimabudsjett", "klimabudsjett", ["klima", "budsjett", "bærekraft"]),
        ("Overvannshåndtering med regnbed", "regnbed", ["overvann", "klimatilpasning"]),
        ("Energistyring i kommunale bygg", "energistyring", ["energi", "bygg", "klima"]),
    ],
    Sector.WELFARE: [
        ("Ungdomsgaranti", "ungdomsgarantien", ["ungdom", "arbeid", "nav"]),
        ("Housing First", "Housing First", ["bolig", "rus", "psykisk helse"]),
        ("Økonomisk rådgivning for barnefamilier", "økonomisk rådgivning", ["økonomi"]),
        ("Los for unge utenfor skole og arbeid", "los-ordningen", ["los", "ungdom", "frafall"]),
        ("Arbeidstrening i kommunale virksomheter", "arbeidstrening", ["arbeid", "inkludering"]),
        ("Digital søknad om sosialhjelp", "digital søknad", ["sosialhjelp", "selvbetjening"]),
        ("Familiekoordinator", "familiekoordinator", ["familie", "koordinering"]),
        ("Leie til eie", "leie til eie", ["bolig", "startlån", "boligsosialt arbeid"]),
    ],
    Sector.PLANNING: [
        ("Digital byggesak", "digital byggesak", ["byggesak", "digitalisering"]),
        ("Medvirkning med digitale kart", "digitale medvirkningskart", ["medvirkning", "kart"]),
        ("Midlertidige tiltak i sentrum", "midlertidige tiltak", ["stedsutvikling", "byrom"]),
        ("Gründerhus i sentrum", "gründerhus", ["næringsutvikling", "gründer"]),
        ("Arealregnskap", "arealregnskap", ["areal", "natur", "planlegging"]),
        ("Næringsvennlig kommune", "næringsvennlig saksbehandling", ["næringsliv", "service"]),
        ("Innbyggerpanel", "innbyggerpanel", ["medvirkning", "innbyggerdialog"]),
    ],
    Sector.ADMINISTRATION: [
        ("Chatbot for innbyggerspørsmål", "chatbot", ["chatbot", "kunstig intelligens"]),
        (
            "Robotisert prosessautomatisering",
            "robotisert prosessautomatisering",
            ["rpa", "automatisering", "økonomi"],
        ),
        ("Klarspråk i vedtaksbrev", "klarspråk", ["klarspråk", "kommunikasjon", "vedtak"]),
        ("Tjenestedesign i kommunen", "tjenestedesign", ["tjenestedesign", "brukerinvolvering"]),
        ("Digital post til innbyggere", "digital post", ["digital post", "kommunikasjon"]),
        ("Felles anskaffelser i regionen", "felles anskaffelser", ["anskaffelser", "innkjøp"]),
        ("Lederutvikling med innovasjon", "lederutvikling", ["ledelse", "innovasjon"]),
        ("Sak og arkiv i skyen", "skybasert sak og arkiv", ["arkiv", "informasjonssikkerhet"]),
        ("Innovasjonsverksted for ansatte", "innovasjonsverksted", ["innovasjon", "kompetanse"]),
    ],
}
COMMON_TAGS = [
    "digitalisering",
    "samskaping",
    "tjenestedesign",
    "brukermedvirkning",
    "interkommunalt samarbeid",
    "bærekraft",
    "kompetanse",
    "kvalitet",
    "effektivisering",
    "frivillighet",
]
TITLE_ANGLES = [
    "slik gjorde vi det",
    "fra pilot til drift",
    "en modell for små kommuner",
    "erfaringer etter første år",
    "bedre tjenester med samme ressurser",
    "sammen med innbyggerne",
]
PAINS: dict[str, list[str]] = {
    Sector.HEALTH_CARE: [
        "mange manuelle rutiner rundt legemidler",
        "lange ventetider og unødvendige innleggelser",
        "høyt sykefravær og mange små stillinger",
        "dobbeltregistrering i fagsystemet",
        "mye kjøring mellom brukerne",
        "uro og fall om natten",
    ],
    Sector.EDUCATION: [
        "frafall og lav motivasjon",
        "uro i klasserommet",
        "svake leseferdigheter på de laveste trinnene",
        "lite tid til hver enkelt elev",
        "få læreplasser i nærområdet",
        "krevende overganger mellom skoleslagene",
    ],
    Sector.TRANSPORT: [
        "lange reiser og få avganger",
        "farlige kryssinger på skoleveien",
        "høye utgifter til drivstoff",
        "tomme busser utenfor rushtiden",
    ],
    Sector.CULTURE: [
        "korte åpningstider",
        "lav deltakelse blant barn og unge",
        "få møteplasser for eldre",
        "lange ventelister i kulturskolen",
    ],
    Sector.TECHNICAL: [
        "store vanntap i ledningsnettet",
        "høyt energiforbruk i byggene",
        "unødvendig tømming av avfallsbeholdere",
        "tidkrevende befaringer",
        "oversvømmelser ved kraftig regn",
    ],
    Sector.WELFARE: [
        "mange unge uten arbeid eller skoleplass",
        "gjeld og dårlig økonomi i barnefamilier",
        "lange saksbehandlingstider",
        "at brukerne måtte forholde seg til mange ulike tjenester",
        "ustabile boforhold",
    ],
    Sector.PLANNING: [
        "lange saksbehandlingstider i byggesaker",
        "lite medvirkning fra innbyggerne",
        "tomme lokaler i sentrum",
        "uklare regler for næringslivet",
    ],
    Sector.ADMINISTRATION: [
        "mange like henvendelser til servicetorget",
        "tungvinte manuelle rutiner i økonomiavdelingen",
        "brev som innbyggerne ikke forsto",
        "dyre og fragmenterte innkjøp",
        "lite rom for nye ideer i hverdagen",
    ],
}
SUMMARY_OPENINGS = [
    "{Thing} på {def} i {{place}}.",
    "Slik tok {def} i {{place}} i bruk {thing}.",
    "I {{place}} har {def} innført {thing}.",
    "{Thing} gir {users} et bedre tilbud.",
]
PROBLEM_SENTENCES = [
    "På {def} brukte de ansatte mye tid på {pain}.",
    "{Users} merket at {pain} gikk ut over tjenesten de fikk.",
    "Kommunen så at {pain} ga økte kostnader og mindre tid til det viktigste arbeidet.",
    "Flere {plur} i {county} hadde den samme utfordringen: {pain}.",
    "Tilbakemeldinger fra {users} viste at {pain} var det største problemet.",
    "Med flere eldre og færre hender i årene som kommer, kunne vi ikke fortsette som før.",
    "Rutinene var laget for en annen tid, og mye av arbeidet ble gjort på papir.",
    "Ansatte ønsket seg bedre verktøy og mer tid sammen med {users}.",
]
SOLUTION_SENTENCES = [
    "Vi innførte {thing} på {def}, først som en utprøving i én avdeling.",
    "Løsningen ble utviklet sammen med {users}, de ansatte og tillitsvalgte.",
    "Etter en kartlegging av behovene valgte vi {thing} fordi det var enkelt å ta i bruk.",
    "Arbeidet ble organisert som et prosjekt med en egen prosjektleder og en styringsgruppe.",
    "Vi hentet erfaringer fra andre kommuner før vi bestemte oss.",
    "{Thing} er nå en fast del av tjenesten på {def}.",
    "Løsningen er koblet til fagsystemet, slik at ingen trenger å registrere to ganger.",
]
SOLUTION_STEPS = [
    "Ansatte fikk opplæring i nye rutiner.",
    "Vi laget en kort veileder for hvordan {thing} brukes.",
    "Tillitsvalgte og verneombud var med fra starten.",
    "Løsningen ble prøvd ut i tre måneder før den ble tatt i bruk overalt.",
    "Vi evaluerte underveis og justerte arbeidsflyten.",
    "{Users} ble spurt om hva som fungerte og hva som kunne bli bedre.",
    "Innkjøpet ble gjort gjennom en felles avtale med nabokommunene.",
    "Elektroniske skjemaer erstattet papir og telefon.",
]
RESULT_SENTENCES = [
    "Etter {months} måneder var tidsbruken redusert med {pct} prosent.",
    "{Users} er mer fornøyde, og de ansatte opplever hverdagen som mindre stressende.",
    "Evalueringen viste færre avvik og bedre kvalitet på tjenesten.",
    "Sykefraværet gikk ned med {small} prosentpoeng det første året.",
    "Gevinsten er beregnet til om lag {money} kroner i året.",
    "Flere {plur} i regionen har vist interesse for å ta i bruk {thing}.",
]
RESULT_POINTS = [
    "Mindre tid på administrasjon og mer tid til {users}.",
    "Færre henvendelser og klager.",
    "Bedre oversikt for ledere og ansatte.",
    "Lavere kostnader til transport og vikarer.",
    "Høyere tilfredshet i brukerundersøkelsen.",
]
PREREQUISITES = [
    "en leder som prioriterer arbeidet og setter av tid til opplæring",
    "avtale med leverandør og en avklart databehandleravtale",
    "et fagsystem som kan utveksle data med løsningen",
    "ansatte som får være med på å forme arbeidsflyten",
    "en prosjektleder i minst halv stilling det første året",
]
COSTS = [
    "om lag {money} kroner i innkjøp og {small} ukeverk til innføring",
    "lisenser på noen få tusen kroner i måneden",
    "mest arbeidstid; utstyret er rimelig",
    "en engangskostnad til utstyr og opplæring, deretter lave driftskostnader",
]
ADAPTATIONS = [
    "rutinene må tilpasses størrelsen på tjenesten",
    "kommunikasjonen til innbyggerne bør lages lokalt",
    "integrasjonen mot fagsystemet avhenger av leverandør",
    "turnus og bemanning må planlegges på nytt",
]
PITFALLS = [
    "undervurder ikke tiden det tar å endre vaner",
    "involver tillitsvalgte tidlig",
    "sørg for at personvernet er vurdert før oppstart",
    "husk at gevinsten ofte kommer et annet sted enn kostnaden",
    "start i liten skala og utvid når rutinene sitter",
]
EXTRA_SENTENCES = [
    "Det digitale verktøyet gjør det lett å følge med på utviklingen.",
    "Vi bruker en digital løsning som alle ansatte har tilgang til.",
    "Tjenesten er digital og krever lite opplæring.",
    "Prosjektet fikk skjønnsmidler fra Statsforvalteren.",
    "Arbeidet er en del av kommunens strategi for innovasjon.",
]
# Words few cases contain: what a "rare word" search looks for.
RARE_SENTENCES = [
    "Løsningen ble også tilpasset familier som driver med reindrift.",
    "Vi samarbeidet med skredvarslingen om beredskapen.",
    "Ideen kom fra en fiskeoppdretter i nabokommunen.",
    "Et fyrtårnprosjekt i kystkommunene var inspirasjonen.",
]
RARE_SHARE = 0.002
OUTSIDE_SOURCES = [
    "En lignende løsning i Danmark",
    "En modell fra Sverige",
    "Et prosjekt i Finland",
    "En artikkel i et fagtidsskrift",
    "Et innlegg på KS' innovasjonskonferanse",
    "En leverandør som viste løsningen på en messe",
    "Et forskningsprosjekt ved et universitet",
]

FIRST_NAMES = [
    "Anne", "Ingrid", "Kari", "Marit", "Liv", "Hilde", "Silje", "Ida", "Nora", "Sara",
    "Ole", "Lars", "Per", "Jon", "Kjetil", "Morten", "Thomas", "Espen", "Jonas", "Emil",
    "Aisha", "Ahmed", "Elin", "Tone", "Geir", "Nils", "Randi", "Sigrid", "Håkon", "Øystein",
]  # fmt: skip
LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Lund",
    "Sørensen", "Bakken", "Moen", "Strand", "Solberg", "Rønning", "Aas",
]  # fmt: skip
ROLES = ["rådgiver", "enhetsleder", "prosjektleder", "fagleder", "avdelingsleder", "spesialist"]


def case_text(rnd: random.Random, *, topic, sector: str, workplace_type: str, owner: Org):
    """Title, summary and the long texts of one case, in Norwegian."""
    title_base, thing, _tags = topic
    indefinite, definite, plural, users = WORKPLACE_WORDS[workplace_type]
    place = owner.municipality_name or owner.county_name or owner.name
    words = {
        "def": definite,
        "plur": plural,
        "users": users,
        "Users": users[:1].upper() + users[1:],
        "thing": thing,
        "Thing": thing[:1].upper() + thing[1:],
        "county": owner.county_name or "fylket",
        "pain": rnd.choice(PAINS[sector]),
        "months": rnd.choice([3, 6, 9, 12, 18]),
        "pct": rnd.choice([10, 15, 20, 25, 30, 40]),
        "small": rnd.choice([2, 3, 4, 5]),
        "money": rnd.choice(["200 000", "500 000", "1 million", "2 millioner", "150 000"]),
    }

    def fill(template: str) -> str:
        words["pain"] = rnd.choice(PAINS[sector])
        return template.format(**words)

    shape = rnd.random()
    if shape < 0.35:
        title = title_base
    elif shape < 0.7:
        title = f"{title_base} i {place}"
    elif shape < 0.85:
        title = f"{title_base}: {rnd.choice(TITLE_ANGLES)}"
    else:
        title = f"{title_base} på {definite}" if " " not in indefinite else title_base
    summary = (
        fill(rnd.choice(SUMMARY_OPENINGS)).format(place=place)
        + " "
        + fill(rnd.choice(SOLUTION_SENTENCES[:3] + RESULT_SENTENCES[:3]))
    )
    problem = " ".join(fill(s) for s in rnd.sample(PROBLEM_SENTENCES, k=rnd.randint(2, 3)))
    if rnd.random() < 0.5:
        problem += "\n\n" + fill(rnd.choice(PROBLEM_SENTENCES))
    solution = " ".join(fill(s) for s in rnd.sample(SOLUTION_SENTENCES, k=rnd.randint(2, 3)))
    steps = rnd.sample(SOLUTION_STEPS, k=rnd.randint(2, 4))
    solution += "\n\n" + "\n".join(f"- {fill(step)}" for step in steps)
    if rnd.random() < 0.35:
        solution += "\n\n" + rnd.choice(EXTRA_SENTENCES)
    if rnd.random() < RARE_SHARE:
        solution += " " + rnd.choice(RARE_SENTENCES)
    results = " ".join(fill(s) for s in rnd.sample(RESULT_SENTENCES, k=rnd.randint(1, 3)))
    if rnd.random() < 0.6:
        points = rnd.sample(RESULT_POINTS, k=rnd.randint(2, 3))
        results += "\n\n" + "\n".join(f"- {fill(point)}" for point in points)
    reuse_guide = (
        f"**Forutsetninger:** {rnd.choice(PREREQUISITES)}.\n\n"
        f"**Kostnad:** {fill(rnd.choice(COSTS))}.\n\n"
        f"**Må tilpasses:** {rnd.choice(ADAPTATIONS)}.\n\n"
        f"**Fallgruver:** {rnd.choice(PITFALLS)}."
    )
    first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
    email = f"{norwegian_slug(first)}.{norwegian_slug(last)}"
    contact = f"{first} {last}, {rnd.choice(ROLES)}, {owner.name} – {email}@kommune.example"
    return title[:200], summary[:600], problem, solution, results, reuse_guide, contact
