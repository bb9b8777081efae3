"""The loader that writes the demo content (`demo.dataset`) through the services.

`manage.py seed_demo` calls `seed()`.

Loading rules (see `seed()`):
- organisations: get-or-create by (kind, number) for municipalities and counties, by slug for
  the others; users by email; cases by slug; adoptions by (case, organisation); spread
  activities by (organisation, case, kind, date). What exists is left exactly as it is.
- cases go through the services (case_create → case_submit → case_approve by the moderator),
  so the history, the automatic adoption of a named source case and the notifications are the
  real ones; afterwards the timestamps are moved back to the data's dates with .update().
"""

import datetime as dt
from collections import Counter
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save

from cases import services
from cases.content import CONTENT_FIELDS
from cases.models import (
    MODERATORS_GROUP,
    Adoption,
    Case,
    CaseEvent,
    Membership,
    Organisation,
    OutgoingEmail,
    Question,
    SpreadActivity,
    refresh_adoption_counters,
)
from cases.vocabularies import CaseStatus, MembershipRole, MembershipStatus, OrganisationKind

from .dataset import (
    ADOPTIONS,
    CASES,
    COUNTIES,
    JOINED,
    MODERATOR_EMAIL,
    MUNICIPALITIES,
    OTHER_ORGANISATIONS,
    PASSWORD,
    QUESTIONS,
    SPREAD_ACTIVITIES,
    TIME_ZONE,
    USERS,
    Spec,
)


def at(day: dt.date, hour: int) -> dt.datetime:
    """A fixed moment on a demo day, in Norwegian time."""
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TIME_ZONE)


@contextmanager
def _collecting(*models):
    """The primary keys of the rows of `models` created inside the block, by model.

    Collected from post_save signals, so exactly the rows this process wrote are found, never
    rows someone else wrote in the meantime.
    """
    written: dict = {model: [] for model in models}

    def collect(sender, instance, created, **kwargs):
        if created:
            written[sender].append(instance.pk)

    for model in models:
        post_save.connect(collect, sender=model, weak=False)
    try:
        yield written
    finally:
        for model in models:
            post_save.disconnect(collect, sender=model)


@contextmanager
def _dated(when: dt.datetime):
    """Move what the service calls inside the block write back to `when`: their case events,
    queued emails and any adoption they recorded (including the automatic one when a case
    that names a source case is published)."""
    with _collecting(CaseEvent, OutgoingEmail, Adoption) as written:
        yield
    CaseEvent.objects.filter(pk__in=written[CaseEvent]).update(created_at=when)
    OutgoingEmail.objects.filter(pk__in=written[OutgoingEmail]).update(created_at=when)
    Adoption.all_objects.filter(pk__in=written[Adoption]).update(
        created_at=when, updated_at=when, adopted_on=when.date()
    )
    # The new dates went around Adoption.save: count the cases' first adoption date again.
    refresh_adoption_counters(
        Adoption.all_objects.filter(pk__in=written[Adoption]).values_list("case_id", flat=True)
    )


def _first_user(organisation: str, *, role: str | None = None) -> str:
    for spec in USERS:
        for slug, member_role in spec["memberships"]:
            if slug == organisation and role in (None, member_role):
                return spec["email"]
    raise LookupError(f"The demo has no user ({role or 'any role'}) in {organisation}.")


def _organisations(created: Counter) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    new: list[int] = []

    def remember(spec, org, was_created):
        orgs[spec["slug"]] = org
        if was_created:
            new.append(org.pk)

    for spec in COUNTIES:
        org, was_created = Organisation.all_objects.get_or_create(
            kind=OrganisationKind.COUNTY,
            number=spec["number"],
            defaults={"name": spec["name"], "slug": spec["slug"], "region": spec["region"]},
        )
        remember(spec, org, was_created)
    for spec in MUNICIPALITIES:
        fields: Spec = {k: v for k, v in spec.items() if k not in ("number", "county")}
        org, was_created = Organisation.all_objects.get_or_create(
            kind=OrganisationKind.MUNICIPALITY,
            number=spec["number"],
            defaults={**fields, "parent": orgs[spec["county"]]},
        )
        remember(spec, org, was_created)
    for spec in OTHER_ORGANISATIONS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "parent")}
        if "parent" in spec:
            fields["parent"] = orgs[spec["parent"]]
        org, was_created = Organisation.all_objects.get_or_create(
            slug=spec["slug"], defaults=fields
        )
        remember(spec, org, was_created)
    if new:
        Organisation.all_objects.filter(pk__in=new).update(created_at=JOINED, updated_at=JOINED)
    created["organisations"] += len(new)
    return orgs


def _users(orgs: dict[str, Organisation], created: Counter) -> dict:
    User = get_user_model()
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    # One hash for every demo user: hashing is deliberately slow, and the password is the same.
    password = make_password(PASSWORD)
    for spec in USERS:
        superuser = spec.get("superuser", False)
        user, was_created = User.objects.get_or_create(
            email=spec["email"],
            defaults={
                "full_name": spec["full_name"],
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
                "email_verified_at": JOINED,
                "date_joined": JOINED,
            },
        )
        created["users"] += was_created
        if spec.get("moderator") and not user.groups.filter(pk=moderators.pk).exists():
            user.groups.add(moderators)
            created["moderator group memberships"] += 1
        for slug, role in spec["memberships"]:
            membership, was_created = Membership.objects.get_or_create(
                user=user,
                organisation=orgs[slug],
                defaults={
                    "role": role,
                    "status": MembershipStatus.ACTIVE,
                    "approved_at": JOINED,
                },
            )
            if was_created:
                Membership.objects.filter(pk=membership.pk).update(created_at=JOINED)
                created["memberships"] += 1
    # Fresh objects: the permission checks cache roles on the user object.
    return {u.email: u for u in User.objects.filter(email__in=[s["email"] for s in USERS])}


def _content(spec: dict, orgs: dict[str, Organisation]) -> dict:
    data = {field: spec[field] for field in CONTENT_FIELDS if field in spec}
    if "partners" in data:
        data["partners"] = [orgs[slug].pk for slug in data["partners"]]
    if "source_case" in data:
        data["source_case"] = Case.all_objects.get(slug=data["source_case"]).pk
    return data


def _write_case(spec: dict, orgs, users, moderator) -> Case:
    """Take one case through the workflow as its author and the moderator would, then date it."""
    author = users[spec["author"]]
    with _dated(at(spec["created_on"], 9)):
        case = services.case_create(
            actor=author, organisation=orgs[spec["owner"]], data=_content(spec, orgs)
        )
        # The service makes the slug from the title (dropping æ, ø, å); the demo's slugs are
        # fixed so that it can find its cases again.
        Case.all_objects.filter(pk=case.pk).update(slug=spec["slug"])
    times = {"created_at": at(spec["created_on"], 9), "updated_at": at(spec["created_on"], 9)}
    if spec["status"] == CaseStatus.DRAFT:
        Case.all_objects.filter(pk=case.pk).update(**times)
        return case
    with _dated(at(spec["submitted_on"], 14)):
        services.case_submit(actor=author, case=case)
    times["submitted_at"] = at(spec["submitted_on"], 14)
    review = spec.get("review")
    if review:
        with _dated(at(review["requested_on"], 10)):
            services.case_request_changes(actor=moderator, case=case, reason=review["reason"])
        with _dated(at(review["edited_on"], 13)):
            services.case_update(actor=author, case=case, data=review["changes"])
        with _dated(at(review["resubmitted_on"], 14)):
            services.case_submit(actor=author, case=case)
        times["updated_at"] = at(review["edited_on"], 13)
        times["submitted_at"] = at(review["resubmitted_on"], 14)
    if spec["status"] == CaseStatus.PUBLISHED:
        with _dated(at(spec["published_on"], 11)):
            services.case_approve(
                actor=moderator, case=case, reviewed_version=services.case_version(case)
            )
        times["published_at"] = times["updated_at"] = at(spec["published_on"], 11)
    Case.all_objects.filter(pk=case.pk).update(**times)
    return case


def _cases(orgs, users, created: Counter) -> dict[str, Case]:
    moderator = users[MODERATOR_EMAIL]
    cases = {}
    for spec in CASES:
        case = Case.all_objects.filter(slug=spec["slug"]).first()
        if case is None:
            case = _write_case(spec, orgs, users, moderator)
            created["cases"] += 1
        cases[spec["slug"]] = case
    return cases


def _adoptions(orgs, users, cases: dict[str, Case], created: Counter) -> None:
    owners = {spec["slug"]: spec["owner"] for spec in CASES}
    for spec in ADOPTIONS:
        case, organisation = cases[spec["case"]], orgs[spec["organisation"]]
        if Adoption.all_objects.filter(case=case, organisation=organisation).exists():
            continue
        with _dated(at(spec["adopted_on"], 10)):
            adoption = services.adoption_record(
                actor=users[_first_user(spec["organisation"])],
                case=case,
                organisation=organisation,
                mode=spec["mode"],
                channel=spec["channel"],
                adopted_on=spec["adopted_on"],
                status=spec["status"],
                note=spec["note"],
            )
        created["adoptions"] += 1
        if spec["confirmed_on"]:
            when = at(spec["confirmed_on"], 13)
            confirmer = users[_first_user(owners[spec["case"]], role=MembershipRole.EDITOR)]
            with _dated(when):
                services.adoption_confirm(actor=confirmer, adoption=adoption)
            Adoption.all_objects.filter(pk=adoption.pk).update(confirmed_at=when, updated_at=when)


def _spread_activities(orgs, users, cases: dict[str, Case], created: Counter) -> None:
    for spec in SPREAD_ACTIVITIES:
        organisation, case = orgs[spec["organisation"]], cases[spec["case"]]
        identity = {
            "organisation": organisation,
            "case": case,
            "kind": spec["kind"],
            "occurred_on": spec["occurred_on"],
        }
        if SpreadActivity.objects.filter(**identity).exists():
            continue
        activity = services.spread_activity_record(
            actor=users[_first_user(spec["organisation"])],
            channel=spec["channel"],
            description=spec["description"],
            **identity,
        )
        SpreadActivity.objects.filter(pk=activity.pk).update(created_at=at(spec["occurred_on"], 12))
        created["spread activities"] += 1


def _questions(orgs, users, cases: dict[str, Case], created: Counter) -> None:
    owners = {spec["slug"]: spec["owner"] for spec in CASES}
    for spec in QUESTIONS:
        case, organisation = cases[spec["case"]], orgs[spec["organisation"]]
        if Question.objects.filter(
            case=case, organisation=organisation, text=spec["question"]
        ).exists():
            continue
        question = services.question_ask(
            actor=users[_first_user(spec["organisation"])],
            case=case,
            organisation=organisation,
            text=spec["question"],
        )
        Question.objects.filter(pk=question.pk).update(created_at=at(spec["asked_on"], 9))
        if spec["answered_on"]:
            editor = users[_first_user(owners[spec["case"]], role=MembershipRole.EDITOR)]
            services.question_answer(actor=editor, question=question, answer=spec["answer"])
            Question.objects.filter(pk=question.pk).update(answered_at=at(spec["answered_on"], 14))
        created["questions"] += 1


def seed() -> Counter:
    """Write whatever part of the demo is missing. Returns what was created, by kind.

    One transaction: the demo is written completely or not at all. The services queue
    notification emails (OutgoingEmail rows, sent after the commit). The demo's addresses are
    made up and its events happened "years ago", so before the commit the demo's rows are
    marked as sent: the after-commit sender and `send_queued_email` skip them, nothing floods
    the console or a real mail server, and the outbox still shows what would have gone out.
    No setting is overridden, so the services run exactly as they do on the site.
    """
    created: Counter = Counter()
    with transaction.atomic(), _collecting(OutgoingEmail) as written:
        orgs = _organisations(created)
        users = _users(orgs, created)
        cases = _cases(orgs, users, created)
        _adoptions(orgs, users, cases, created)
        _spread_activities(orgs, users, cases, created)
        _questions(orgs, users, cases, created)
        OutgoingEmail.objects.filter(pk__in=written[OutgoingEmail], sent_at__isnull=True).update(
            sent_at=F("created_at")
        )
    return +created  # drop the kinds of which nothing was created
