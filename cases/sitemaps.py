"""sitemap.xml: every published case and every organisation with something public to show.
Nothing else: drafts, cases waiting for moderation, archived and deleted cases never appear."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from .models import Adoption, Case, Organisation


class CaseSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Case.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, case):
        return case.updated_at


class OrganisationSitemap(Sitemap):
    """Organisations with at least one published case or recorded reuse of a published case."""

    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Organisation.objects.filter(
                Exists(Case.objects.published().filter(organisation=OuterRef("pk")))
                | Exists(Adoption.objects.public().filter(organisation=OuterRef("pk")))
            )
            .order_by("pk")
            .only("slug", "updated_at")
        )

    def lastmod(self, organisation):
        return organisation.updated_at


SITEMAPS = {"cases": CaseSitemap, "organisations": OrganisationSitemap}
