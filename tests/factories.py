"""factory_boy factories for the domain. Registered as pytest fixtures in conftest.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from cases.content import TERM_FIELDS
from cases.models import (
    COUNTER_FIELDS,
    Adoption,
    Case,
    CaseTerm,
    Membership,
    Organisation,
    SpreadActivity,
    User,
    refresh_term_masks,
)
from cases.services import refresh_search_extra
from cases.vocabularies import (
    AdoptionMode,
    CaseStatus,
    Channel,
    MembershipRole,
    OrganisationKind,
    Origin,
    Region,
    SpreadKind,
    Stage,
)

# The statuses a case reaches only after it was submitted, and only after it was published.
ONCE_SUBMITTED = (
    CaseStatus.SUBMITTED,
    CaseStatus.CHANGES_REQUESTED,
    CaseStatus.PUBLISHED,
    CaseStatus.ARCHIVED,
)
ONCE_PUBLISHED = (CaseStatus.PUBLISHED, CaseStatus.ARCHIVED)


# Every factory-made user's password.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.django.Password(PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("kind", "number")

    kind = OrganisationKind.COUNTY
    number = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.Sequence(lambda n: f"Fylke {n}")
    slug = factory.Sequence(lambda n: f"fylke-{n}")
    region = Region.VESTLANDET


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("kind", "number")

    @factory.lazy_attribute_sequence
    def number(self, n: int) -> str:
        """The next four-digit number no municipality has, deleted ones included: get_or_create
        looks among the living only, so a deleted one's number would be created twice."""
        for step in range(8999):
            candidate = f"{((n + step) % 8999) + 1000:04d}"
            taken = Organisation.all_objects.filter(
                kind=OrganisationKind.MUNICIPALITY, number=candidate
            )
            if not taken.exists():
                return candidate
        raise RuntimeError("every municipality number is taken")

    kind = OrganisationKind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Kommune {n}")
    slug = factory.Sequence(lambda n: f"kommune-{n}")
    parent = factory.SubFactory(CountyFactory)
    population = 12000
    population_year = 2026
    centrality_class = 3
    centrality_index = 800


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.UNIT
    name = factory.Sequence(lambda n: f"Enhet {n}")
    slug = factory.Sequence(lambda n: f"enhet-{n}")
    parent = factory.SubFactory(MunicipalityFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(MunicipalityFactory)
    role = MembershipRole.MEMBER


class CaseFactory(factory.django.DjangoModelFactory):
    """A case written straight to the database, as the services would leave it: its terms,
    partners and search words, the times of the moderation its status has been through, and
    adoptions by other organisations (tests of workflow use the services themselves).

        CaseFactory(organisation=o, published=True, days_ago=3, sectors=[...],
                    innovation_types=[...], benefits=[...], tags=[...], partners=[org, ...],
                    adopters=[org, ...])

    `published=True` is status=published; any status gives the times that go with it.
    `ready=True` adds what a submission asks for. `adopters` also takes a number: that many
    adoptions by new municipalities.
    """

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(status=CaseStatus.PUBLISHED)
        # Everything a submission asks for besides the texts (see services.missing_for_submission).
        ready = factory.Trait(
            stage=Stage.IN_USE, sectors=["health-care"], innovation_types=["service"]
        )
        # How long ago a published (or archived) case was published.
        days_ago = 0

    title = factory.Sequence(lambda n: f"Innovasjon nummer {n}")
    slug = factory.Sequence(lambda n: f"innovasjon-{n}")
    summary = "Et kort sammendrag."
    problem = "Problemet vi løste."
    solution = "Slik løste vi det."
    organisation = factory.SubFactory(MunicipalityFactory)
    origin = Origin.UNKNOWN
    status = CaseStatus.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: (
            timezone.now() - timedelta(days=o.days_ago) if o.status in ONCE_PUBLISHED else None
        )
    )
    submitted_at = factory.LazyAttribute(
        lambda o: (o.published_at or timezone.now()) if o.status in ONCE_SUBMITTED else None
    )
    # Codes of the case's terms (see _create), by the names the services take them.
    sectors = ()
    innovation_types = ()
    benefits = ()
    tags = ()

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if extracted:
            self.partners.set(extracted)

    @factory.post_generation
    def adopters(self, create, extracted, **kwargs):
        """Adoptions of the case; `adopters__<field>` sets a field of every one of them."""
        if not extracted:
            return
        if isinstance(extracted, int):
            for _ in range(extracted):
                AdoptionFactory(case=self, **kwargs)
        else:
            for organisation in extracted:
                AdoptionFactory(case=self, organisation=organisation, **kwargs)
        # The adoptions counted themselves on the case row.
        self.refresh_from_db(fields=COUNTER_FIELDS)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        codes = {name: kwargs.pop(name) for name in TERM_FIELDS}
        case = super()._create(model_class, *args, **kwargs)
        for name, (vocabulary, _choices) in TERM_FIELDS.items():
            add_terms(case, vocabulary, codes[name])
        return case

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in TERM_FIELDS:
            kwargs.pop(name)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            refresh_search_extra(instance)


def add_terms(case: Case, vocabulary: str, codes) -> None:
    """Codes of one vocabulary added to a case, as the services write them."""
    CaseTerm.objects.bulk_create(
        [CaseTerm(case=case, vocabulary=vocabulary, code=code) for code in codes or []]
    )
    refresh_term_masks([case.pk])


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    case = factory.SubFactory(CaseFactory, published=True)
    organisation = factory.SubFactory(MunicipalityFactory)
    mode = AdoptionMode.ADAPTED
    channel = Channel.NETWORK
    adopted_on = factory.LazyFunction(lambda: timezone.localdate())


class SpreadActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpreadActivity

    organisation = factory.SubFactory(MunicipalityFactory)
    kind = SpreadKind.NETWORK_MEETING
    channel = Channel.NETWORK
    occurred_on = factory.LazyFunction(lambda: timezone.localdate())


def approve_case(moderator, case):
    """A moderator approves the case as it now is in the database (the version they saw)."""
    from cases import services

    seen = Case.objects.get(pk=case.pk)
    return services.case_approve(
        actor=moderator, case=case, reviewed_version=services.case_version(seen)
    )


def approve_edit(moderator, revision):
    """A moderator approves the pending edit as it now is in the database."""
    from cases import services

    seen = Case.objects.get(pk=revision.case_id)
    return services.revision_approve(
        actor=moderator, revision=revision, reviewed_version=services.case_version(seen)
    )


def approve_on_page(client, review_url: str):
    """Approve as a moderator does: open the review page, press approve with the version it shows."""
    import re

    page = client.get(review_url).content.decode()
    found = re.search(r'name="version" value="([^"]+)"', page)
    return client.post(review_url, {"action": "approve", "version": found[1] if found else ""})
