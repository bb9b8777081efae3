"""The change feed, `GET /api/v1/changes/?since=<cursor>&limit=<n>`: a client that starts with
no cursor and follows `next_cursor` ends with exactly the server's published data.

On SQLite and PostgreSQL: full and incremental sync, archiving as delete (for the case and its
adoptions), coming back as upsert, pending edits, withdrawn adoptions, everything a public
representation shows of other rows (source case, derived case, adoption count, organisation
names), and a log that keeps one entry per object. Transactions that run in parallel are in
test_change_feed_concurrency.py.

Every test commits for real (`transaction=True`): on PostgreSQL the feed hands out only what
committed transactions wrote.
"""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from cases import services
from cases.models import Adoption, CaseRevision, Change
from cases.vocabularies import CaseStatus
from tests import change_feed_helpers, factories
from tests.change_feed_helpers import (
    Copy,
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    adopt,
    complete,
    edit_and_approve,
    entries_per_object,
    publish,
    server,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Three municipalities with an editor each and a moderator, and what they have published
# (tests/change_feed_helpers.py).
world = change_feed_helpers.world
published = change_feed_helpers.published


# --- Full and incremental sync (SQLite and PostgreSQL) --------------------------------------


def test_full_sync_gives_exactly_the_published_data(published):
    copy = Copy()
    seen = copy.drain()
    state = server()
    assert copy.objects == state
    assert set(state["case"]) == {published["kiosk"].pk, published["sengevakt"].pk}
    assert len(state["adoption"]) == 2
    # The draft was never public: the feed does not name it (tests/test_change_feed_private.py).
    assert copy.entries_for(seen, "case", published["draft"].pk) == []
    # A page holds at most one entry per object: the object as it is now.
    keys = [(e["kind"], e["id"]) for e in seen]
    assert len(keys) == len(set(keys))


def test_a_feed_entry_carries_the_object_as_the_api_shows_it(published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    detail = APIClient().get(f"/api/v1/cases/{kiosk.pk}/").json()
    assert copy.objects["case"][kiosk.pk] == detail
    assert detail["adoption_count"] == 2
    adoption = Adoption.objects.filter(case=kiosk).first()
    assert copy.objects["adoption"][adoption.pk] == (
        APIClient().get(f"/api/v1/adoptions/{adoption.pk}/").json()
    )


def test_small_pages_give_the_same_copy(published):
    big, small = Copy(), Copy()
    big.drain()
    small.drain(limit=1)
    assert small.objects == big.objects == server()
    assert small.pages > big.pages


def test_has_more_and_the_cursor(published):
    copy = Copy()
    first = copy.read(limit=2)
    assert first["has_more"] is True
    assert len(first["results"]) <= 2
    assert first["next_cursor"] == first["results"][-1]["cursor"]
    copy.drain()
    # Caught up: nothing new, the cursor stays where it is.
    cursor = copy.cursor
    again = copy.read()
    assert again == {"results": [], "next_cursor": cursor, "has_more": False}


def test_incremental_sync_brings_only_what_changed(world, published):
    copy = Copy()
    copy.drain()
    before = copy.cursor

    skilt = publish(world, "Gjøvik", "Digitale skilt i sentrum")
    adoption = adopt(world, skilt, "Hamar", channel="conference")
    seen = copy.drain()
    assert copy.cursor != before
    assert copy.objects == server()
    assert copy.entries_for(seen, "case", skilt.pk)[-1] == "upsert"
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["upsert"]
    assert copy.objects["case"][skilt.pk]["adoption_count"] == 1
    # Nothing about the cases that did not change.
    assert not copy.entries_for(seen, "case", published["sengevakt"].pk)

    assert copy.drain() == []


def test_archiving_a_case_deletes_it_and_its_adoptions(world, published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    assert adoption_ids <= set(copy.objects["adoption"])

    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    seen = copy.drain()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["delete"]
    for pk in adoption_ids:
        assert copy.entries_for(seen, "adoption", pk) == ["delete"]
    assert kiosk.pk not in copy.objects["case"]
    assert not adoption_ids & set(copy.objects["adoption"])
    assert copy.objects == server()


def test_a_case_that_returns_comes_back_with_its_adoptions(world, published):
    kiosk = published["kiosk"]
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Pause.")
    copy = Copy()
    copy.drain()
    assert kiosk.pk not in copy.objects["case"]

    services.case_restore(actor=world["people"]["Hamar"], case=kiosk)
    seen = copy.drain()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    assert len(adoption_ids) == 2
    for pk in adoption_ids:
        assert copy.entries_for(seen, "adoption", pk) == ["upsert"]
    assert copy.objects == server()


def test_a_pending_edit_is_not_in_the_feed_until_approved(world, published):
    copy = Copy()
    copy.drain()
    sengevakt = published["sengevakt"]
    services.case_update(
        actor=world["people"]["Lillehammer"],
        case=sengevakt,
        data={"title": "Sensorbasert nattevakt i omsorgsboliger"},
    )
    assert copy.drain() == []
    assert copy.objects["case"][sengevakt.pk]["title"] == "Sensorbasert nattevakt"

    revision = CaseRevision.objects.get(case=sengevakt, status=CaseRevision.Status.PENDING)
    factories.approve_edit(world["people"]["moderator"], revision)
    seen = copy.drain()
    assert copy.entries_for(seen, "case", sengevakt.pk) == ["upsert"]
    assert copy.objects["case"][sengevakt.pk]["title"] == (
        "Sensorbasert nattevakt i omsorgsboliger"
    )
    assert copy.objects == server()


def test_withdrawing_an_adoption_deletes_it_and_updates_the_count(world, published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    adoption = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    services.adoption_withdraw(actor=world["people"]["Gjøvik"], adoption=adoption)
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["delete"]
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    assert copy.objects["case"][kiosk.pk]["adoption_count"] == 1
    assert copy.objects == server()


def test_changing_an_adoption_is_an_upsert(world, published):
    copy = Copy()
    copy.drain()
    adoption = Adoption.objects.get(
        case=published["kiosk"], organisation=world["organisations"]["Lillehammer"]
    )
    services.adoption_update(
        actor=world["people"]["Lillehammer"],
        adoption=adoption,
        status="discontinued",
        note="Lagt ned etter ett år.",
    )
    services.adoption_confirm(actor=world["people"]["Hamar"], adoption=adoption)
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["upsert"]
    shown = copy.objects["adoption"][adoption.pk]
    assert (shown["status"], shown["note"], shown["confirmed"]) == (
        "discontinued",
        "Lagt ned etter ett år.",
        True,
    )
    assert copy.objects == server()


def test_a_case_follows_its_source_case_out_of_and_into_view(world, published):
    """`source_case` is named only while the source is published."""
    kiosk = published["kiosk"]
    # Gjøvik copied the kiosk (its adoption exists already: it becomes the derived one).
    copycat = publish(
        world, "Gjøvik", "Innbyggerkiosk på biblioteket", origin="copied", source_case=kiosk.pk
    )
    copy = Copy()
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] == kiosk.pk
    derived = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    assert copy.objects["adoption"][derived.pk]["derived_case"] == copycat.pk

    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Utgått.")
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] is None
    assert copy.objects == server()

    kiosk.refresh_from_db()
    kiosk.status = CaseStatus.PUBLISHED
    kiosk.save()
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] == kiosk.pk
    assert copy.objects == server()


def test_an_adoption_follows_its_derived_case(world, published):
    """`derived_case` is named only while the adopter's own case is published."""
    sengevakt = published["sengevakt"]
    own = services.case_create(
        actor=world["people"]["Hamar"],
        organisation=world["organisations"]["Hamar"],
        data=complete("Nattevakt med sensorer i Hamar"),
    )
    adoption = adopt(world, sengevakt, "Hamar", derived_case=own.pk)
    copy = Copy()
    copy.drain()
    assert copy.objects["adoption"][adoption.pk]["derived_case"] is None

    services.case_submit(actor=world["people"]["Hamar"], case=own)
    factories.approve_case(world["people"]["moderator"], own)
    copy.drain()
    assert copy.objects["adoption"][adoption.pk]["derived_case"] == own.pk
    assert copy.objects == server()


def test_renaming_an_organisation_reaches_its_cases_and_adoptions(world, published):
    copy = Copy()
    copy.drain()
    hamar = world["organisations"]["Hamar"]
    hamar.name = "Hamar kommune"
    hamar.save()
    county = world["county"]
    county.name = "Innlandet fylkeskommune"
    county.save()
    seen = copy.drain()
    assert copy.entries_for(seen, "case", published["kiosk"].pk) == ["upsert"]
    assert copy.objects["case"][published["kiosk"].pk]["organisation"]["name"] == "Hamar kommune"
    for case in copy.objects["case"].values():
        assert case["organisation"]["county"]["name"] == "Innlandet fylkeskommune"
    for adoption in copy.objects["adoption"].values():
        assert adoption["organisation"]["county"]["name"] == "Innlandet fylkeskommune"
    assert copy.objects == server()
    # Saving without a visible change writes nothing.
    hamar.save()
    assert copy.drain() == []


def test_partners_shown_on_a_case(world, published):
    copy = Copy()
    copy.drain()
    sengevakt = published["sengevakt"]
    sengevakt.partners.add(world["organisations"]["Hamar"])
    copy.drain()
    assert [p["name"] for p in copy.objects["case"][sengevakt.pk]["partners"]] == ["Hamar"]
    world["organisations"]["Hamar"].partner_cases.clear()
    copy.drain()
    assert copy.objects["case"][sengevakt.pk]["partners"] == []
    assert copy.objects == server()


def test_deleting_rows_outright_is_a_delete(world, published):
    """Only an administrator deletes rows; the feed still tells."""
    copy = Copy()
    copy.drain()
    adoption = Adoption.objects.filter(case=published["kiosk"]).first()
    pk = adoption.pk
    adoption.delete()
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", pk) == ["delete"]
    assert copy.objects["case"][published["kiosk"].pk]["adoption_count"] == 1
    assert copy.objects == server()


def test_a_write_that_rolls_back_leaves_nothing_behind(world, published):
    copy = Copy()
    copy.drain()
    before = Change.objects.count()
    # The service and the failure after it share the transaction the request would have.
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        services.case_archive(
            actor=world["people"]["Hamar"], case=published["kiosk"], reason="Feil."
        )
        raise RuntimeError("the request failed after the service")
    assert Change.objects.count() == before
    assert copy.drain() == []
    assert copy.objects == server()


def test_entries_written_outside_a_transaction_share_one_transaction_id(world, published):
    """An entry must carry the id of the transaction that writes it, also in autocommit."""
    from cases.changefeed import record as changes

    changes.record(Change.Kind.CASE, [published["kiosk"].pk, published["sengevakt"].pk])
    written = list(Change.objects.order_by("-id").values_list("txid", flat=True)[:2])
    assert written[0] == written[1]


# --- Compacting the log (SQLite and PostgreSQL) ---------------------------------------------


def test_the_log_keeps_one_entry_per_object(world, published):
    """A later entry of the same object makes an earlier one redundant: the log grows with the
    number of objects, not with the number of writes, and so does a full sync."""
    kiosk = published["kiosk"]
    for n in range(3):
        edit_and_approve(world, kiosk, "Hamar", f"Innbyggerkiosk {n}")
    world["organisations"]["Hamar"].name = "Hamar kommune"
    world["organisations"]["Hamar"].save()
    counted = entries_per_object()
    assert set(counted.values()) == {1}
    assert ("case", kiosk.pk) in counted
    copy = Copy()
    seen = copy.drain()
    assert copy.objects == server()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]


def test_a_client_with_an_old_cursor_gets_every_change_after_it(world, published):
    """Entries that were before the client's cursor, between it and the end, and that were
    removed after the client read them: the client still ends with the server's data."""
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]
    old = Copy()
    old.drain()
    edit_and_approve(world, kiosk, "Hamar", "Ny innbyggerkiosk")
    services.case_archive(actor=world["people"]["Lillehammer"], case=sengevakt, reason="Slutt.")
    edit_and_approve(world, kiosk, "Hamar", "Enda nyere innbyggerkiosk")
    adoption = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    services.adoption_withdraw(actor=world["people"]["Gjøvik"], adoption=adoption)
    seen = old.drain()
    assert old.objects == server()
    assert old.objects["case"][kiosk.pk]["title"] == "Enda nyere innbyggerkiosk"
    assert old.objects["case"][kiosk.pk]["adoption_count"] == 1
    assert old.entries_for(seen, "case", sengevakt.pk) == ["delete"]
    assert old.entries_for(seen, "adoption", adoption.pk) == ["delete"]


def test_a_client_in_the_middle_of_a_sync_loses_nothing(world, published):
    """Writes land both before and after the cursor of a client that has read part of the log:
    entries it has read are removed, entries it has not read move to the end."""
    copy = Copy()
    copy.read(limit=2)
    assert copy.read(limit=2)["has_more"] is True
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]
    edit_and_approve(world, kiosk, "Hamar", "Kiosk i rådhuset")
    edit_and_approve(world, sengevakt, "Lillehammer", "Nattevakt med sensorer")
    services.case_submit(actor=world["people"]["Gjøvik"], case=published["draft"])
    factories.approve_case(world["people"]["moderator"], published["draft"])
    adopt(world, published["draft"], "Hamar")
    copy.drain(limit=2)
    assert copy.objects == server()
    assert copy.objects["case"][published["draft"].pk]["adoption_count"] == 1


def test_a_deletion_stays_in_the_log(world, published):
    """An object's last entry is never removed, so a client that had the object learns that
    it left the public view, however much is written after."""
    kiosk = published["kiosk"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    early = Copy()
    early.drain()
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    gone = publish(world, "Gjøvik", "Kortvarig sak")
    later = Copy()
    later.drain()
    gone_pk = gone.pk
    assert gone_pk in later.objects["case"]
    gone.delete()  # an administrator deletes the row
    for n in range(3):
        edit_and_approve(world, published["sengevakt"], "Lillehammer", f"Nattevakt {n}")
    assert entries_per_object()[("case", kiosk.pk)] == 1
    assert entries_per_object()[("case", gone_pk)] == 1

    seen = early.drain()
    assert early.entries_for(seen, "case", kiosk.pk) == ["delete"]
    for pk in adoption_ids:
        assert early.entries_for(seen, "adoption", pk) == ["delete"]
    assert later.entries_for(later.drain(), "case", gone_pk) == ["delete"]
    assert early.objects == later.objects == server()
    assert kiosk.pk not in early.objects["case"]
    assert gone_pk not in later.objects["case"]
    # A client that starts now is told too (and ignores what it never had).
    fresh = Copy()
    assert fresh.entries_for(fresh.drain(), "case", gone_pk) == ["delete"]
    assert fresh.objects == server()
