"""The demo cases published in 2024, in the order they were published."""

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
        "problem": md(
            """
            I distriktene kjører hjemmetjenesten langt for korte medisinbesøk. Et glemt besøk
            eller en forsinkelse på vinterføre rammer brukere som bor langt unna.
            """
        ),
        "solution": md(
            """
            Vi brukte utvalgskriteriene og opplæringen fra Kristiansand, men endret to ting:

            - Varsler om doser som ikke er tatt går til en fast robotansvarlig, som ringer
              brukeren før noen kjører ut.
            - Multidoserullene fylles på ved ordinære besøk, slik at ingen kjører ut bare for å
              fylle på.
            """
        ),
        "results": md(
            """
            Færre kjørte kilometer og færre glemte doser. Brukerne i distriktene er de mest
            fornøyde.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            I matematikktimene gikk mye tid til tavleundervisning, og elevene satt alene med
            oppgavene hjemme, der de trengte hjelp mest. Elever med høyt fravær falt fort
            etter.
            """
        ),
        "solution": md(
            """
            Lærerne lager videoer på fem til ti minutter for hvert tema. Elevene ser dem
            hjemme, og timene brukes til oppgaver, samtale og veiledning i små grupper.

            Én time i uka strømmes direkte, slik at elever som er hjemme eller på
            sykehusskole kan være med.
            """
        ),
        "results": md(
            """
            Læreren får mer tid med hver elev, og elevene sier de tør å spørre mer. Forskere fra
            NTNU fulgte prosjektet og fant bedre resultater på de nasjonale prøvene for de
            svakeste elevene.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            Måltidene fulgte vaktene til de ansatte: frokost klokka åtte, middag klokka tolv og
            kveldsmat klokka seks. Det ga en nattfaste på over fjorten timer, og mange beboere
            var underernærte.
            """
        ),
        "solution": md(
            """
            - Frokost serveres når beboeren våkner, ikke til fast tid.
            - Lunsj midt på dagen og middag klokka 15–16.
            - Et næringsrikt kveldsmåltid klokka 20–21, og noe å spise om natten for dem som
              er våkne.
            """
        ),
        "results": md(
            """
            Nattfasten er nede i under elleve timer. Flere beboere har stabil vekt, og de
            ansatte opplever roligere kvelder.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            Sykehjemmene hadde mange små stillinger og ufrivillig deltid, fordi helgene krevde
            mange folk på korte vakter. Beboerne møtte mange ulike ansatte i løpet av en uke,
            og det var vanskelig å rekruttere sykepleiere.
            """
        ),
        "solution": md(
            """
            Sammen med tillitsvalgte laget avdelingene en ny turnus med langvakter i helgene.
            Ordningen er frivillig, evalueres hvert halvår og har fått dispensasjon etter
            arbeidsmiljøloven gjennom avtale med fagforeningene.
            """
        ),
        "results": md(
            """
            - Andelen heltidsstillinger økte fra om lag en tredjedel til over halvparten.
            - Sykefraværet gikk ned det første året.
            - Beboere og pårørende merker at de møter færre ulike ansatte.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            Med få ansatte og lange avstander ble medisinbesøkene en stor del av dagen i
            hjemmetjenesten.
            """
        ),
        "solution": md(
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
        "problem": md(
            """
            Ansatte som var bekymret for et barn, visste ikke alltid hvem de skulle gå til.
            Bekymringer ble liggende, eller gikk rett til barnevernet når et lavterskeltilbud
            hadde vært bedre.
            """
        ),
        "solution": md(
            """
            - En felles handlingsveileder på fire nivåer, fra samtale med foreldrene til
              tverrfaglig team.
            - Faste kontaktpersoner i hver barnehage og skole.
            - Et tverrfaglig team som møtes hver uke og kan settes sammen på kort varsel.
            """
        ),
        "results": md(
            """
            Flere saker løses på lavt nivå, og færre bekymringsmeldinger kommer sent. Foreldre
            opplever at de blir tatt med tidligere.
            """
        ),
        "reuse_guide": md(
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
]
