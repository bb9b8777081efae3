"""Pages of plain information about the site itself."""

from django.conf import settings
from django.shortcuts import render


def accessibility(request):
    """The accessibility statement (tilgjengelighetserklæring), as Norwegian public sites publish
    one: how far the site conforms to WCAG 2.1 A and AA, what is known not to, how it is tested,
    and where to send feedback or a complaint."""
    return render(
        request,
        "pages/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )
