"""factory_boy factories for the domain. Registered as pytest fixtures in conftest.py."""

import factory
from django.utils import timezone

from cases.models import (
    Adoption,
    Case,
    CaseTerm,
    Membership,
    Organisation,
    SpreadActivity,
    User,
)
from cases.vocabularies import (
    AdoptionMode,
    CaseStatus,
    Channel,
    MembershipRole,
    OrganisationKind,
    Origin,
    Region,
    SpreadKind,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.django.Password("correct horse battery staple")
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

    kind = OrganisationKind.MUNICIPALITY
    number = factory.Sequence(lambda n: f"{(n % 8999) + 1000:04d}")
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
    """A case written straight to the database (tests of workflow use the services)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Innovasjon nummer {n}")
    slug = factory.Sequence(lambda n: f"innovasjon-{n}")
    summary = "Et kort sammendrag."
    problem = "Problemet vi løste."
    solution = "Slik løste vi det."
    organisation = factory.SubFactory(MunicipalityFactory)
    origin = Origin.UNKNOWN
    status = CaseStatus.DRAFT

    class Params:
        published = factory.Trait(
            status=CaseStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        for code in extracted or []:
            CaseTerm.objects.create(case=self, vocabulary=CaseTerm.Vocabulary.SECTOR, code=code)

    @factory.post_generation
    def innovation_types(self, create, extracted, **kwargs):
        for code in extracted or []:
            CaseTerm.objects.create(
                case=self, vocabulary=CaseTerm.Vocabulary.INNOVATION_TYPE, code=code
            )


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
