"""The public change feed says nothing of objects that were never public.

It carried `delete` entries (ids and times) of drafts, submitted cases and deleted drafts: proof
that they exist and when they were worked on. Now only what was public once can come as
`delete` (so a client that had it learns it is gone); a case never published, and anything
that was only ever shown with it, does not appear at all, whichever way it was written or
deleted. Read through the API, from no cursor and from a cursor held before the writes.
"""

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Change
from tests import change_feed_helpers as feed
from tests import factories
from tests.change_feed_helpers import (  # noqa: F401 - the cache reset is an autouse fixture
    Copy,
    _fresh_throttle_counts,
    adopt,
    complete,
    publish,
    server,
)

pytestmark = pytest.mark.django_db(transaction=True)


# The change feed tests' three municipalities with an editor each, and a moderator.
world = feed.world


def _write(world, owner: str, title: str) -> Case:
    return services.case_create(
        actor=world["people"][owner],
        organisation=world["organisations"][owner],
        data=complete(title),
    )


def _never_public(world) -> list[int]:
    """A draft, a submitted case, one sent back, a deleted draft and a row deleted outright;
    each edited after it was written."""
    moderator = world["people"]["moderator"]
    author = world["people"]["Gjøvik"]
    draft = _write(world, "Gjøvik", "Hemmelig utkast")
    services.case_update(actor=author, case=draft, data={"title": "Hemmelig utkast 2"})
    submitted = _write(world, "Gjøvik", "Hemmelig innsendt")
    services.case_submit(actor=author, case=submitted)
    sent_back = _write(world, "Gjøvik", "Hemmelig sendt tilbake")
    services.case_submit(actor=author, case=sent_back)
    services.case_request_changes(actor=moderator, case=sent_back, reason="Mer om kostnad.")
    deleted = _write(world, "Gjøvik", "Hemmelig slettet")
    services.case_delete(actor=author, case=deleted)
    removed = _write(world, "Gjøvik", "Hemmelig fjernet")
    removed_pk = removed.pk
    Case.all_objects.filter(pk=removed_pk).get().delete()  # an administrator deletes the row
    # The factory's way (straight to the table) writes through the same handlers.
    factories.CaseFactory(organisation=world["organisations"]["Gjøvik"])
    return [
        draft.pk,
        submitted.pk,
        sent_back.pk,
        deleted.pk,
        removed_pk,
        *list(
            Case.all_objects.filter(published_at__isnull=True)
            .exclude(pk__in=[draft.pk, submitted.pk, sent_back.pk, deleted.pk])
            .values_list("pk", flat=True)
        ),
    ]


def _case_ids(seen) -> set[int]:
    return {entry["id"] for entry in seen if entry["kind"] == "case"}


def test_a_full_sync_never_names_a_case_that_was_never_public(world):
    kiosk = publish(world, "Hamar", "Digital innbyggerkiosk")
    hidden = _never_public(world)
    copy = Copy()
    seen = copy.drain()
    assert _case_ids(seen) == {kiosk.pk}
    assert not set(hidden) & _case_ids(seen)
    assert copy.objects == server()


def test_a_client_with_an_old_cursor_is_not_told_of_hidden_work(world):
    kiosk = publish(world, "Hamar", "Digital innbyggerkiosk")
    copy = Copy()
    copy.drain()
    hidden = _never_public(world)
    seen = copy.drain()
    assert not set(hidden) & _case_ids(seen)
    assert copy.objects == server()
    # Small pages skip the hidden entries without losing the public ones.
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    _write(world, "Lillehammer", "Enda et utkast")
    later = copy.drain(limit=1)
    assert [(entry["kind"], entry["id"], entry["action"]) for entry in later] == [
        ("case", kiosk.pk, "delete")
    ]


def test_what_was_public_once_still_comes_as_delete(world):
    kiosk = publish(world, "Hamar", "Digital innbyggerkiosk")
    adoption = adopt(world, kiosk, "Lillehammer")
    copy = Copy()
    copy.drain()
    assert adoption.pk in copy.objects["adoption"]
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    seen = copy.drain()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["delete"]
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["delete"]
    # A client that starts now is told too, and the feed matches the lists.
    fresh = Copy()
    assert fresh.entries_for(fresh.drain(), "case", kiosk.pk) == ["delete"]
    assert fresh.objects == copy.objects == server()


def test_a_never_published_case_deleted_outright_leaves_no_entry(world):
    draft = _write(world, "Gjøvik", "Hemmelig fjernet")
    pk = draft.pk
    assert Change.objects.filter(kind="case", object_id=pk).exists()
    draft.delete()
    assert not Change.objects.filter(kind="case", object_id=pk).exists()
    body = APIClient().get("/api/v1/changes/", {"limit": 1000}).json()
    assert pk not in _case_ids(body["results"])
