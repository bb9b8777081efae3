"""`manage.py seed_demo`: enough real-looking content for every page and statistic, idempotent."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseEvent,
    CaseTerm,
    Membership,
    Organisation,
    OutgoingEmail,
    SpreadActivity,
)
from cases.vocabularies import (
    AdoptionMode,
    CaseStatus,
    InnovationType,
    MembershipRole,
    OrganisationKind,
    Origin,
)
from demo import dataset as demo_data

pytestmark = pytest.mark.django_db

# The repository sits beside ../shared, locally and in CI.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def codes(vocabulary: str) -> set[str]:
    return set(
        CaseTerm.objects.filter(
            vocabulary=vocabulary, case__status=CaseStatus.PUBLISHED
        ).values_list("code", flat=True)
    )


def test_seed_demo_gives_every_page_and_statistic_something_to_show(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = seed()
    assert callbacks  # the services queued emails to send after the commit ...

    published = Case.objects.published()
    assert published.count() >= 12
    assert len(codes(CaseTerm.Vocabulary.SECTOR)) >= 5
    assert codes(CaseTerm.Vocabulary.INNOVATION_TYPE) == set(InnovationType.values)
    assert set(published.values_list("origin", flat=True)) == set(Origin.values)
    assert Case.objects.filter(status=CaseStatus.DRAFT).exists()
    assert Case.objects.filter(status=CaseStatus.SUBMITTED).exists()
    assert published.filter(source_case=None).exclude(source_description="").exists()

    adoptions = Adoption.objects.public()
    assert set(adoptions.values_list("mode", flat=True)) == set(AdoptionMode.values)
    assert len(set(adoptions.values_list("channel", flat=True))) >= 3
    assert len(set(adoptions.values_list("organisation__county", flat=True))) >= 3
    assert adoptions.filter(confirmed=True).exists()
    most_adopted = max(published, key=lambda c: c.adoption_count)
    assert most_adopted.adoption_count >= 6
    assert SpreadActivity.objects.exists()

    # The moderator moderates; the demo employee edits Oslo's cases; everyone is verified.
    User = get_user_model()
    moderator = User.objects.get(email=demo_data.MODERATOR_EMAIL)
    assert moderator.groups.filter(name=MODERATORS_GROUP).exists()
    assert moderator.check_password(demo_data.PASSWORD)
    assert Membership.objects.filter(
        user__email=demo_data.EMPLOYEE_EMAIL,
        organisation__kind=OrganisationKind.MUNICIPALITY,
        organisation__number="0301",
        role=MembershipRole.EDITOR,
    ).exists()
    assert User.objects.get(email=demo_data.ADMIN_EMAIL).is_superuser
    assert not User.objects.filter(email_verified_at=None).exists()

    # History went through the workflow and lies in the past, in 2023-2026.
    approved = CaseEvent.objects.filter(kind=CaseEvent.Kind.APPROVED)
    assert approved.count() == published.count()
    assert not CaseEvent.objects.filter(created_at__gte=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert not published.filter(published_at__year__lt=2023)
    assert len({c.published_at.year for c in published}) >= 3

    # ... but the demo marked its emails as sent, so none reached the mail backend.
    assert OutgoingEmail.objects.exists()
    assert not OutgoingEmail.objects.filter(sent_at=None).exists()
    assert mail.outbox == []

    assert demo_data.PASSWORD in output
    assert demo_data.MODERATOR_EMAIL in output
    assert "http://" in output


def test_seed_demo_has_a_lineage_of_two_generations():
    seed()
    copies = Case.objects.published().filter(
        origin__in=[Origin.ADAPTED, Origin.COPIED],
        source_case__source_case__isnull=False,
        source_case__status=CaseStatus.PUBLISHED,
        source_case__source_case__status=CaseStatus.PUBLISHED,
    )
    assert copies.exists()
    copy = copies.first()
    adaptation, original = copy.source_case, copy.source_case.source_case
    # Publishing each derived case recorded the reuse of its source.
    assert Adoption.objects.filter(
        case=original, organisation=adaptation.organisation, derived_case=adaptation
    ).exists()
    assert Adoption.objects.filter(
        case=adaptation, organisation=copy.organisation, derived_case=copy
    ).exists()


def snapshot() -> dict:
    User = get_user_model()
    return {
        "counts": {model._meta.label: model._base_manager.count() for model in apps.get_models()},
        "organisations": list(
            Organisation.all_objects.order_by("slug").values(
                "slug",
                "kind",
                "number",
                "name",
                "parent__slug",
                "county__slug",
                "region",
                "size_class",
                "workplace_type",
                "employee_band",
                "email_domains",
                "created_at",
                "updated_at",
            )
        ),
        "users": list(
            User.objects.order_by("email").values(
                "email",
                "password",
                "is_staff",
                "is_superuser",
                "email_verified_at",
                "date_joined",
                "groups__name",
            )
        ),
        "memberships": list(
            Membership.objects.order_by("user__email", "organisation__slug").values(
                "user__email", "organisation__slug", "role", "status", "created_at"
            )
        ),
        "cases": list(
            Case.all_objects.order_by("slug").values(
                "slug",
                "title",
                "status",
                "origin",
                "source_case__slug",
                "organisation__slug",
                "stage",
                "summary",
                "reuse_guide",
                "created_at",
                "updated_at",
                "submitted_at",
                "published_at",
            )
        ),
        "terms": list(
            CaseTerm.objects.order_by("case__slug", "vocabulary", "code").values_list(
                "case__slug", "vocabulary", "code"
            )
        ),
        "adoptions": list(
            Adoption.all_objects.order_by("case__slug", "organisation__slug").values(
                "case__slug",
                "organisation__slug",
                "mode",
                "channel",
                "status",
                "adopted_on",
                "derived_case__slug",
                "confirmed",
                "confirmed_at",
                "created_at",
                "updated_at",
            )
        ),
        "events": list(
            CaseEvent.objects.order_by("pk").values(
                "pk",
                "case__slug",
                "kind",
                "actor__email",
                "from_status",
                "to_status",
                "reason",
                "created_at",
            )
        ),
        "spread": list(
            SpreadActivity.objects.order_by("pk").values(
                "organisation__slug",
                "case__slug",
                "kind",
                "channel",
                "occurred_on",
                "created_at",
            )
        ),
        "emails": list(
            OutgoingEmail.objects.order_by("pk").values("to", "subject", "created_at", "sent_at")
        ),
    }


def test_seed_demo_twice_gives_the_same_database():
    seed()
    first = snapshot()
    output = seed()
    assert "already there" in output
    assert snapshot() == first


def test_demo_data_is_consistent():
    """Dates in order and in the past; reuse only of another organisation's published case."""
    cases = {spec["slug"]: spec for spec in demo_data.CASES}
    assert len(cases) == len(demo_data.CASES)
    limit = dt.date(2026, 11, 1)
    for spec in demo_data.CASES:
        days = [spec["created_on"], spec.get("submitted_on"), spec.get("published_on")]
        days = [day for day in days if day]
        assert days == sorted(days), spec["slug"]
        assert days[-1] < limit, spec["slug"]
        source = spec.get("source_case")
        if source:
            assert cases[source]["published_on"] < spec["published_on"], spec["slug"]
            assert list(cases).index(source) < list(cases).index(spec["slug"])
    pairs = [(spec["case"], spec["organisation"]) for spec in demo_data.ADOPTIONS]
    assert len(pairs) == len(set(pairs))
    for spec in demo_data.ADOPTIONS:
        case = cases[spec["case"]]
        assert case["status"] == CaseStatus.PUBLISHED
        assert spec["organisation"] != case["owner"]
        assert case["published_on"] <= spec["adopted_on"] < limit
        if spec["confirmed_on"]:
            assert spec["adopted_on"] <= spec["confirmed_on"] < limit
    for spec in demo_data.SPREAD_ACTIVITIES:
        assert cases[spec["case"]]["owner"] == spec["organisation"]
        assert spec["occurred_on"] < limit


def test_demo_counties_and_municipalities_agree_with_the_official_registry():
    """Loading the registry after the demo changes none of the demo's counties and municipalities:
    the demo names, slugs and figures them exactly as `load_municipalities` does."""
    if not (DATA / "municipalities.csv").exists():
        pytest.skip("the shared registry data is not beside the repository")
    seed()
    demo_numbers = [spec["number"] for spec in demo_data.COUNTIES + demo_data.MUNICIPALITIES]
    fields = [
        "kind",
        "number",
        "name",
        "slug",
        "parent__number",
        "county__number",
        "region",
        "population",
        "population_year",
        "centrality_class",
        "centrality_index",
        "size_class",
    ]

    def registry_view():
        return list(
            Organisation.all_objects.filter(
                kind__in=[OrganisationKind.COUNTY, OrganisationKind.MUNICIPALITY],
                number__in=demo_numbers,
            )
            .order_by("kind", "number")
            .values(*fields)
        )

    before = registry_view()
    assert len(before) == len(demo_numbers)
    call_command(
        "load_municipalities",
        str(DATA / "municipalities.csv"),
        "--counties",
        str(DATA / "counties.csv"),
        verbosity=0,
    )
    assert registry_view() == before
