"""Following searches: saving one, changing how often it emails, stopping and deleting it, and
telling its follower about new cases (as they are published, or once a week)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import links, notifications, saved_searches
from ..filters import county_choices
from ..models import Case, SavedSearch, User

Frequency = SavedSearch.Frequency
# The frequency choice on "My work" that stops the emails but keeps the search.
OFF = "off"
# A weekly search is due when its last digest is at least this old: the command may run daily
# (or twice on a Monday) and each follower still hears once a week.
DIGEST_INTERVAL = datetime.timedelta(days=6, hours=12)
# The cases a digest lists; the rest are counted, with a link to the search.
DIGEST_SIZE = 20


def _frequency(value: str) -> str:
    if value not in Frequency.values:
        raise ValidationError(
            {"frequency": [_("Choose weekly or as soon as a case is published.")]}
        )
    return value


@transaction.atomic
def saved_search_follow(*, user: User, data: QueryDict, frequency: str) -> tuple[SavedSearch, bool]:
    """Follow the search `data` (the search page's parameters) with emails at `frequency`.

    The same search followed again (in any order of its parameters) is the same saved search:
    its frequency is updated and it is turned on again. True when it is new. A person follows
    at most `saved_searches.MAX_PER_USER` searches.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in to follow a search."))
    frequency = _frequency(frequency)
    query, filterset = saved_searches.normalise(data)
    if len(query) > saved_searches.QUERY_LENGTH:
        raise ValidationError(
            _("This search has too many filters to follow. Choose fewer and try again.")
        )
    # Locks the person's row: two tabs saving at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = SavedSearch.objects.filter(user=user, query=query).first()
    if existing is not None:
        existing.frequency = frequency
        existing.active = True
        existing.save(update_fields=["frequency", "active"])
        return existing, False
    if SavedSearch.objects.filter(user=user).count() >= saved_searches.MAX_PER_USER:
        raise ValidationError(
            _(
                "You follow %(limit)s searches, the most one person can. Delete one on "
                "“My work” to follow this one."
            )
            % {"limit": saved_searches.MAX_PER_USER}
        )
    saved = SavedSearch(
        user=user,
        query=query,
        label=saved_searches.label(filterset),
        frequency=frequency,
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError:
        # Saved a moment ago from another tab (SQLite has no row lock): the same search.
        existing = SavedSearch.objects.get(user=user, query=query)
        existing.frequency = frequency
        existing.active = True
        existing.save(update_fields=["frequency", "active"])
        return existing, False
    return saved, True


def _own(actor: User, saved: SavedSearch) -> SavedSearch:
    """The saved search again, locked, if it is the actor's own."""
    found = SavedSearch.objects.select_for_update().filter(pk=saved.pk, user_id=actor.pk).first()
    if found is None:
        raise PermissionDenied(_("This is not one of your saved searches."))
    return found


@transaction.atomic
def saved_search_set_frequency(
    *, actor: User, saved_search: SavedSearch, frequency: str
) -> SavedSearch:
    """Change how often a saved search emails; "off" stops the emails and keeps the search."""
    saved = _own(actor, saved_search)
    if frequency == OFF:
        saved.active = False
    else:
        saved.frequency = _frequency(frequency)
        saved.active = True
    saved.save(update_fields=["frequency", "active"])
    return saved


@transaction.atomic
def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    """Forget a saved search. Emails about it still in the outbox are not sent."""
    _own(actor, saved_search).delete()


def saved_search_from_token(token: str) -> SavedSearch | None:
    """The saved search an unsubscribe link names, or None if the link was altered or the
    search was deleted."""
    ids = links.unsubscribe_token_ids(token)
    if ids is None:
        return None
    search_id, user_id = ids
    return SavedSearch.objects.filter(pk=search_id, user_id=user_id).first()


@transaction.atomic
def saved_search_unsubscribe(*, token: str) -> SavedSearch:
    """Stop the emails of the saved search an unsubscribe link names (the link is the
    permission: no login). The search stays, off, on the person's "My work"."""
    found = saved_search_from_token(token)
    if found is None:
        raise ValidationError(
            _(
                "This unsubscribe link is not valid: it may be incomplete, or the search was "
                "deleted. Nothing was changed."
            )
        )
    saved = SavedSearch.objects.select_for_update().get(pk=found.pk)
    if saved.active:
        saved.active = False
        saved.save(update_fields=["active"])
    return saved


def saved_searches_case_published(case: Case) -> list[SavedSearch]:
    """Queue one email for every search followed "as soon as published" that `case` matches.

    Called in the transaction that publishes the case, so the emails exist exactly when the
    publication does. Matching uses the search page's filters: one query per distinct search
    (many people following the same search cost one), on the one case.
    """
    followed = SavedSearch.objects.filter(
        active=True, frequency=Frequency.IMMEDIATE, user__is_active=True
    )
    queries = sorted(set(followed.values_list("query", flat=True)))
    if not queries:
        return []
    counties = county_choices()
    one = Case.objects.published().filter(pk=case.pk)
    matched = [
        query
        for query in queries
        if saved_searches.matching(query, one, counties=counties).exists()
    ]
    told = list(followed.filter(query__in=matched).select_related("user").order_by("pk"))
    for saved in told:
        notifications.saved_search_matched(saved, case)
    if told:
        SavedSearch.objects.filter(pk__in=[s.pk for s in told]).update(
            last_notified_at=timezone.now()
        )
    return told


def saved_search_digests(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue the weekly email of every weekly saved search that is due, listing the cases
    published since its last one (since it was saved, the first time); nothing for a search
    without new cases. Returns the queued emails' ids.

    Each search is handled in its own transaction, the email and the new `last_notified_at`
    together, so a failure halfway leaves no search told twice or skipped.
    """
    now = now or timezone.now()
    due = (
        SavedSearch.objects.filter(active=True, frequency=Frequency.WEEKLY, user__is_active=True)
        .exclude(last_notified_at__gt=now - DIGEST_INTERVAL)
        .select_related("user")
        .order_by("pk")
    )
    counties = county_choices()
    queued = []
    for saved in due:
        since = saved.last_notified_at or saved.created_at
        new = Case.objects.published().filter(published_at__gt=since, published_at__lte=now)
        matches = saved_searches.matching(saved.query, new, counties=counties)
        ids = list(
            matches.order_by("-published_at", "-pk").values_list("pk", flat=True)[:DIGEST_SIZE]
        )
        more = matches.count() - len(ids) if len(ids) == DIGEST_SIZE else 0
        with transaction.atomic():
            # Only if nobody changed or told it meanwhile (a second run at the same time).
            updated = SavedSearch.objects.filter(
                pk=saved.pk, active=True, last_notified_at=saved.last_notified_at
            ).update(last_notified_at=now)
            if not updated or not ids:
                continue
            email = notifications.saved_search_digest(saved, ids, more=more)
            if email is not None:
                queued.append(email.pk)
    return queued
