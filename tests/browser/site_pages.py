"""Every page type of the site, with the demo data (`seed_demo`) it is checked on and who looks
at it. The accessibility, keyboard and reflow tests all walk this list."""

from collections.abc import Callable
from dataclasses import dataclass

from demo import dataset as demo_data

# The demo's people, by what they do (see demo/data/people.json).
ANONYMOUS = None
EMPLOYEE = demo_data.EMPLOYEE_EMAIL  # editor of Oslo kommune, which owns "mobil-rontgen"
MODERATOR = demo_data.MODERATOR_EMAIL
OUTSIDER = "voss@demo.no"  # editor of Voss kommune: another municipality

# Error pages 403 and 500 need a view that fails; tests/browser/urls.py adds two.
ERROR_URLCONF = "tests.browser.urls"


def _preview(page) -> None:
    """The editor's preview: change the text and press Preview."""
    page.locator("#id_problem").fill("Endret tekst med **uthevet** ord.\n\n- punkt én\n- punkt to")
    page.locator("button[name=preview]").click()
    page.locator("#preview-heading").wait_for()
    page.wait_for_load_state()


def _login_error(page) -> None:
    page.locator("#id_username").fill(EMPLOYEE)
    page.locator("#id_password").fill("feil passord")
    page.locator("form[action$='/logg-inn/'] button[type=submit]").click()
    page.locator(".ds-error-summary").wait_for()
    page.wait_for_load_state()


def _registration_errors(page) -> None:
    page.locator("main form button[type=submit]").click()
    page.locator(".ds-error-summary").wait_for()
    page.wait_for_load_state()


def _followed_search():
    """The employee follows a search (the same one every time: saving it again changes
    nothing)."""
    from django.http import QueryDict

    from cases import services
    from cases.models import User

    user = User.objects.get(email=EMPLOYEE)
    return services.saved_search_follow(
        user=user, data=QueryDict("q=sykehjem&sector=health-care"), frequency="weekly"
    )[0]


def _with_saved_search(page) -> None:
    _followed_search()
    page.reload()
    page.locator("#saved-searches-heading").wait_for()


def _unsubscribe_page(page) -> None:
    """The page an email's unsubscribe link opens, for someone not logged in."""
    from urllib.parse import urlsplit

    from cases import links

    page.goto(urlsplit(links.unsubscribe_url(_followed_search())).path)
    page.locator("main form button[type=submit]").wait_for()


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    personas: tuple[str | None, ...] = (ANONYMOUS, EMPLOYEE)
    status: int = 200
    prepare: Callable | None = None
    url_name: str | None = None  # a page still being built: skipped until its URL exists
    urlconf: str | None = None
    # The 500 page needs no request or database, so it is one page in both languages.
    bilingual: bool = False
    # Where the page differs for a logged-in user, when that is only a part of it (axe is slow on
    # large pages, and the rest is checked logged out).
    logged_in_differs_in: str | None = None

    def __str__(self) -> str:
        return self.name


# Pages whose content is the same for everyone (public, published data only) differ for a
# logged-in user only in the header: logged in, axe checks just that, and the rest once.
HEADER = "header"
# The search page adds, for a member, the "municipalities like ours" links.
HEADER_AND_LIKE_MINE = "header, .like-mine"

PAGE_TYPES = [
    PageType("home", "/", logged_in_differs_in=HEADER),
    PageType("search-results", "/saker/?q=sykehjemmet", logged_in_differs_in=HEADER_AND_LIKE_MINE),
    PageType("search-no-results", "/saker/?q=qqxyzzyvv", logged_in_differs_in=HEADER),
    PageType("case", "/saker/mobil-rontgen/", (ANONYMOUS, EMPLOYEE, OUTSIDER)),
    # A case nobody has reused yet, copied from another: one line instead of the figures.
    PageType("case-unreused", "/saker/medisinrobot-vevelstad/", (ANONYMOUS, OUTSIDER)),
    PageType(
        "case-adopters",
        "/saker/mobil-rontgen/gjenbrukt-av/",
        (ANONYMOUS, EMPLOYEE),
        url_name="case-adopters",
    ),
    PageType("editor-new", "/saker/ny/", (EMPLOYEE,)),
    PageType("editor-edit", "/saker/ki-stotte-i-byggesaksbehandlingen/rediger/", (EMPLOYEE,)),
    PageType(
        "editor-preview",
        "/saker/ki-stotte-i-byggesaksbehandlingen/rediger/",
        (EMPLOYEE,),
        prepare=_preview,
    ),
    PageType("my-work", "/mitt-arbeid/", (EMPLOYEE,)),
    PageType("my-work-saved-searches", "/mitt-arbeid/", (EMPLOYEE,), prepare=_with_saved_search),
    PageType(
        "follow-search",
        "/lagrede-sok/folg/?q=sykehjem&sector=health-care",
        (EMPLOYEE,),
        url_name="saved-search-follow",
    ),
    PageType("unsubscribe-invalid", "/lagrede-sok/avmeld/ugyldig/", (ANONYMOUS,), status=400),
    PageType(
        "unsubscribe",
        "/lagrede-sok/avmeld/ugyldig/",
        (ANONYMOUS,),
        status=400,
        prepare=_unsubscribe_page,
    ),
    PageType("case-history", "/saker/mobil-rontgen/historikk/", (EMPLOYEE,)),
    PageType("adoption-form", "/saker/vandreboka/gjenbruk/", (OUTSIDER,)),
    PageType("question-form", "/saker/mobil-rontgen/sporsmal/", (OUTSIDER,)),
    # The hide controls under each question; the rest of the page is the case page's.
    PageType(
        "case-as-moderator", "/saker/mobil-rontgen/", (MODERATOR,), logged_in_differs_in="#sporsmal"
    ),
    PageType("moderation-queue", "/moderering/", (MODERATOR,)),
    PageType("moderation-review", "/moderering/saker/chatbot-for-innbyggersporsmal/", (MODERATOR,)),
    PageType("statistics", "/statistikk/", url_name="stats-dashboard", logged_in_differs_in=HEADER),
    PageType(
        "statistics-method",
        "/statistikk/metode/",
        url_name="stats-method",
        logged_in_differs_in=HEADER,
    ),
    PageType("organisation", "/organisasjoner/oslo/"),
    PageType("login", "/logg-inn/", (ANONYMOUS,)),
    PageType("login-error", "/logg-inn/", (ANONYMOUS,), prepare=_login_error),
    PageType("registration", "/registrer/", (ANONYMOUS,)),
    PageType("registration-errors", "/registrer/", (ANONYMOUS,), prepare=_registration_errors),
    PageType("profile", "/profil/", (EMPLOYEE,)),
    PageType(
        "accessibility-statement",
        "/tilgjengelighet/",
        url_name="accessibility",
        logged_in_differs_in=HEADER,
    ),
    PageType("about", "/om/", url_name="about", logged_in_differs_in=HEADER),
    PageType("contact", "/kontakt/", url_name="contact", logged_in_differs_in=HEADER),
    PageType("privacy", "/personvern/", url_name="privacy", logged_in_differs_in=HEADER),
    PageType("api-docs", "/api/docs/", url_name="api-docs", logged_in_differs_in=HEADER),
    PageType("error-404", "/finnes-ikke/", status=404, logged_in_differs_in=HEADER),
    PageType("error-403", "/test/403/", status=403, urlconf=ERROR_URLCONF),
    # Rendered without a request, so the same for everyone.
    PageType(
        "error-500",
        "/test/500/",
        status=500,
        urlconf=ERROR_URLCONF,
        bilingual=True,
        logged_in_differs_in=HEADER,
    ),
]
