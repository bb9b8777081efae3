"""The demo cases published in 2023, in the order they were published."""

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
        "problem": md(
            """
            Når en sykehjemsbeboer trenger røntgen, betyr det ofte drosje eller ambulanse til
            sykehuset, lang venting i mottaket og en ledsager fra sykehjemmet som er borte fra
            avdelingen i mange timer.

            For beboere med demens er turen i seg selv en belastning: mange blir urolige og
            forvirret, og noen får delirium etter et sykehusbesøk. Derfor lot man det av og til
            være å undersøke, og brudd og lungebetennelse ble oppdaget sent.
            """
        ),
        "solution": md(
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
        "results": md(
            """
            Det første året ble rundt 2 000 undersøkelser gjort på sykehjemmene i stedet for på
            sykehuset.

            - Færre transporter og innleggelser, og mindre uro hos beboere med demens.
            - Ansatte slipper å følge beboere til sykehuset og blir på avdelingen.
            - Legene bestiller røntgen tidligere, også i tilfeller der de før lot det være.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            Mange lærlinger slutter før fagprøven, og ofte oppdager fylkeskommunen det først når
            kontrakten heves. Dokumentasjonen av opplæringen lå i permer og skjemaer i den
            enkelte bedrift, og instruktørene manglet oversikt over hvilke mål i læreplanen som
            var nådd.
            """
        ),
        "solution": md(
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
        "results": md(
            """
            Etter to år brukes Vandreboka av lærlinger i over 40 fag. Lærlingene sier de vet
            bedre hva de skal kunne til fagprøven, og opplæringskontorene fanger opp problemer
            flere måneder tidligere enn før.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            En stor del av besøkene i hjemmetjenesten gjaldt bare å dele ut medisiner, og mange
            av dem måtte skje på samme tid om morgenen. Det ga travle morgener, korte besøk og
            avvik når noen ble forsinket.
            """
        ),
        "solution": md(
            """
            Apoteket pakker medisinene i multidoseruller som settes inn i en medisinrobot hjemme
            hos brukeren. Roboten sier fra når det er tid for medisin og gir ut riktig pose.

            - Blir dosen ikke tatt, går det varsel til hjemmetjenesten.
            - Faste kriterier avgjør hvem som får tilbudet: brukeren må kunne ta medisinen selv
              når den gis ut.
            - En egen velferdsteknologikoordinator lærer opp brukere og ansatte.
            """
        ),
        "results": md(
            """
            Etter to år har over 300 brukere medisinrobot. Kommunen anslår at tusenvis av besøk
            i året er frigjort til andre oppgaver, og antallet avvik i legemiddelhåndteringen
            har gått ned. Mange brukere sier de liker å klare seg selv.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            Hver skole kjøpte sine egne digitale læremidler. Det ga over hundre ulike lisenser,
            dobbel betaling for de samme tjenestene og uklarhet om personvernet: ingen hadde
            oversikt over hvilke tjenester som behandlet elevenes data.
            """
        ),
        "solution": md(
            """
            Et lite team i skoleadministrasjonen, med lærere fra skolene, vurderer læremidlene
            faglig og juridisk og kjøper inn lisenser for hele kommunen. Alt samles i én
            oversikt der elevene logger inn med Feide.
            """
        ),
        "results": md(
            """
            - Færre og bedre læremidler, alle med databehandleravtale.
            - Lavere lisenskostnader gjennom felles innkjøp.
            - Lærerne bruker mindre tid på å lete og mer på å planlegge undervisningen.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            I den vanlige 2+2-modellen møter yrkesfagelevene arbeidslivet først etter to år på
            skolen. Mange mister motivasjonen underveis, og noen får aldri læreplass.
            """
        ),
        "solution": md(
            """
            Eleven får læreplass allerede fra første år og veksler mellom skole og bedrift, for
            eksempel to dager i bedrift og tre på skolen. Skolen og bedriften lager en felles
            plan, slik at det eleven lærer på skolen brukes i bedriften uka etter.
            """
        ),
        "results": md(
            """
            Frafallet i klassene med vekslingsmodell er lavere enn i sammenlignbare klasser, og
            bedriftene sier de får lærlinger som kjenner arbeidsplassen godt. Ordningen krever
            mer koordinering av skolen.
            """
        ),
        "reuse_guide": md(
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
        "problem": md(
            """
            En innbygger med sammensatte behov kunne ha fem-seks søknader til like mange
            enheter, med hvert sitt vedtak og hver sin kontaktperson. Pårørende brukte mye tid
            på å koordinere, og kommunen gjorde de samme kartleggingene flere ganger.
            """
        ),
        "solution": md(
            """
            - Ett felles kontor tar imot alle søknader om helse- og velferdstjenester, på
              telefon, digitalt og ved oppmøte.
            - Søkeren får én fast saksbehandler som kartlegger hele behovet.
            - Et tverrfaglig team fatter vedtak om alle tjenestene samtidig.
            """
        ),
        "results": md(
            """
            Saksbehandlingstiden gikk ned, og innbyggerne får ett samlet vedtak. Brukerundersøkelsen
            viser at flere vet hvem de skal kontakte.
            """
        ),
        "reuse_guide": md(
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
]
