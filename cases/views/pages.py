"""Pages of plain information about the site itself."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control


def accessibility(request):
    """The accessibility statement (tilgjengelighetserklæring), as Norwegian public sites publish
    one: how far the site conforms to WCAG 2.1 A and AA, what is known not to, how it is tested,
    and where to send feedback or a complaint."""
    return render(
        request,
        "pages/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )


def _about_the_operator() -> dict:
    """Who runs the site and where people write: what the plain pages below name."""
    return {
        "operator": settings.CATALOGUE_PUBLISHER_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "accessibility_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
        "data_email": settings.CATALOGUE_CONTACT_EMAIL,
    }


def about(request):
    """What the service is, who may publish, how cases are checked and what the data may be
    used for."""
    return render(request, "pages/about.html", _about_the_operator())


def privacy(request):
    """The privacy statement (personvernerklæring): what personal data the site keeps, why,
    who sees it, the cookies it sets, and how to ask for access, correction or deletion."""
    return render(request, "pages/privacy.html", _about_the_operator())


def contact(request):
    """Where to write, by what the question is about."""
    return render(request, "pages/contact.html", _about_the_operator())


# Pages only signed-in people or moderators see, and the API's data (read it through the
# catalogue and the API instead): nothing there for a search engine.
NOT_FOR_CRAWLERS = ["/admin/", "/moderering/", "/profil/", "/mitt-arbeid/", "/api/v1/"]


@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in NOT_FOR_CRAWLERS)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page names; the icon is a static file."""
    return redirect(static("favicon.svg"))
