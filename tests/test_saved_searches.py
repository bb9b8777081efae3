"""Following a search: saving it from the results, managing it on "My work", the emails when new
cases match (as they are published, or weekly), and unsubscribing without logging in."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import links, notifications, saved_searches, services
from cases.models import Case, OutgoingEmail, SavedSearch
from cases.vocabularies import CaseStatus, MembershipRole
from tests.conftest import person
from tests.factories import PASSWORD, CaseFactory, UserFactory, approve_case

pytestmark = pytest.mark.django_db

FOLLOW = "/lagrede-sok/folg/"
MY_WORK = "/mitt-arbeid/"
ROBOTS = "q=robot&sector=health-care"


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SITE_URL = "https://innovasjon.example"


def follow(user, query: str = ROBOTS, frequency: str = "immediate") -> SavedSearch:
    return services.saved_search_follow(user=user, data=QueryDict(query), frequency=frequency)[0]


def submitted(owner, **fields):
    return CaseFactory(organisation=owner, status=CaseStatus.SUBMITTED, ready=True, **fields)


def robot_case(owner, **fields):
    return submitted(owner, title="Robot som deler ut multidose", sectors=["health-care"], **fields)


def send_all() -> None:
    notifications.send_queued()


# --- what a search is ---------------------------------------------------------------------------


def test_one_search_however_it_is_written(county):
    first, _fs = saved_searches.normalise(
        QueryDict("sector=education&q=robot%20%20ved&sector=health-care&page=2&ordering=title")
    )
    second, _fs = saved_searches.normalise(
        QueryDict("q=robot+ved&sector=health-care&sector=education&sector=education")
    )
    assert first == second == "q=robot+ved&sector=education&sector=health-care"


def test_unknown_and_empty_values_are_left_out(county):
    query, filterset = saved_searches.normalise(
        QueryDict("sector=bogus&sector=education&q=&stage=")
    )
    assert query == "sector=education"
    assert saved_searches.label(filterset) == "Sektor: Oppvekst og utdanning"


def test_the_label_reads_as_the_search(county):
    _query, filterset = saved_searches.normalise(QueryDict(ROBOTS + "&reused=true"))
    label = saved_searches.label(filterset)
    assert label.startswith("«robot»")
    assert "Helse og omsorg" in label
    assert "Gjenbrukt av andre" in label


# --- following from the results page -----------------------------------------------------------


def test_the_results_offer_to_follow_the_search_and_its_feed(client, user, published_case):
    html = client.get("/saker/?" + ROBOTS + "&ordering=title&page=1").content.decode()
    # A visitor logs in and comes back to the form for the same search.
    login = "/logg-inn/?next=%2Flagrede-sok%2Ffolg%2F%3Fq%3Drobot%26sector%3Dhealth-care"
    assert f'href="{login}"' in html
    assert 'href="/saker/feed/?q=robot&amp;sector=health-care"' in html
    client.force_login(user)
    html = client.get("/saker/?" + ROBOTS).content.decode()
    assert 'href="/lagrede-sok/folg/?q=robot&amp;sector=health-care"' in html
    assert "Følg dette søket" in html


def test_visitors_log_in_and_come_back_to_the_follow_form(client, county):
    response = client.get(FOLLOW + "?" + ROBOTS)
    assert response.status_code == 302
    assert response.url.startswith("/logg-inn/?next=")
    user = UserFactory()
    response = client.post(
        "/logg-inn/",
        {"username": user.email, "password": PASSWORD, "next": FOLLOW + "?" + ROBOTS},
    )
    assert response.url == FOLLOW + "?" + ROBOTS


def test_following_saves_the_search_once_and_updates_it(client, user, county):
    client.force_login(user)
    page = client.get(FOLLOW + "?sector=health-care&q=robot&page=3")
    assert page.status_code == 200
    assert "«robot» · Sektor: Helse og omsorg" in page.content.decode()
    assert 'name="search" value="q=robot&amp;sector=health-care"' in page.content.decode()

    response = client.post(FOLLOW, {"search": ROBOTS, "frequency": "weekly"}, follow=True)
    assert response.redirect_chain == [("/saker/?" + ROBOTS, 302)]
    assert (
        "Du følger nå dette søket: «robot» · Sektor: Helse og omsorg" in response.content.decode()
    )
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.query, saved.frequency, saved.active) == (
        user,
        ROBOTS,
        "weekly",
        True,
    )

    # The same search again (written differently): updated, not saved twice.
    client.post(FOLLOW, {"search": "sector=health-care&q=robot", "frequency": "immediate"})
    client.post(FOLLOW, {"search": "sector=health-care&q=robot", "frequency": "immediate"})
    saved = SavedSearch.objects.get()
    assert saved.frequency == "immediate"
    page = client.get(FOLLOW + "?" + ROBOTS).content.decode()
    assert "Du følger allerede dette søket" in page


def test_a_follow_without_a_frequency_is_refused(client, user, county):
    client.force_login(user)
    response = client.post(FOLLOW, {"search": ROBOTS, "frequency": "daily"})
    assert response.status_code == 400
    assert "Velg" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(user, county):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(FOLLOW, {"search": ROBOTS, "frequency": "weekly"})
    assert response.status_code == 403
    assert not SavedSearch.objects.exists()


def test_one_person_follows_at_most_so_many_searches(client, user, county):
    SavedSearch.objects.bulk_create(
        SavedSearch(user=user, query=f"q=ord{i}", label=f"«ord{i}»")
        for i in range(saved_searches.MAX_PER_USER)
    )
    client.force_login(user)
    response = client.post(FOLLOW, {"search": ROBOTS, "frequency": "weekly"})
    assert response.status_code == 400
    assert "50 søk" in response.content.decode()
    assert SavedSearch.objects.count() == saved_searches.MAX_PER_USER
    # An existing one can still be changed.
    response = client.post(FOLLOW, {"search": "q=ord3", "frequency": "immediate"})
    assert response.status_code == 302
    assert SavedSearch.objects.get(query="q=ord3").frequency == "immediate"


# --- My work ---------------------------------------------------------------------------------------


def test_my_work_lists_the_saved_searches(client, user, county):
    saved = follow(user, frequency="weekly")
    follow(UserFactory(), query="q=annet")
    client.force_login(user)
    html = client.get(MY_WORK).content.decode()
    start = html.index('id="saved-searches-heading"')
    section = html[start : html.index("</section>", start)]
    assert "(1)" in section
    assert f'href="/saker/?q=robot&amp;sector=health-care">{saved.label}</a>' in section
    assert "Én gang i uka" in section
    assert f'action="/lagrede-sok/{saved.pk}/epost/"' in section
    assert f'action="/lagrede-sok/{saved.pk}/slett/"' in section
    assert "annet" not in section


def test_changing_and_stopping_and_deleting_a_saved_search(client, user, county):
    saved = follow(user, frequency="weekly")
    client.force_login(user)
    response = client.post(f"/lagrede-sok/{saved.pk}/epost/", {"frequency": "immediate"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.frequency, saved.active) == ("immediate", True)
    client.post(f"/lagrede-sok/{saved.pk}/epost/", {"frequency": "off"})
    saved.refresh_from_db()
    assert (saved.frequency, saved.active) == ("immediate", False)
    response = client.post(f"/lagrede-sok/{saved.pk}/epost/", {"frequency": "hourly"}, follow=True)
    assert "Velg" in response.content.decode()
    saved.refresh_from_db()
    assert (saved.frequency, saved.active) == ("immediate", False)
    response = client.post(f"/lagrede-sok/{saved.pk}/slett/", follow=True)
    assert "Slettet det lagrede søket" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_nobody_changes_or_deletes_someone_elses_saved_search(client, user, county):
    saved = follow(user, frequency="weekly")
    client.force_login(UserFactory())
    assert client.post(f"/lagrede-sok/{saved.pk}/epost/", {"frequency": "off"}).status_code == 404
    assert client.post(f"/lagrede-sok/{saved.pk}/slett/").status_code == 404
    saved.refresh_from_db()
    assert saved.active
    client.logout()
    response = client.post(f"/lagrede-sok/{saved.pk}/slett/")
    assert response.status_code == 302
    assert response.url.startswith("/logg-inn/")
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_a_service_refuses_a_search_of_someone_else(user, county):
    saved = follow(user)
    with pytest.raises(services.saved_searches.PermissionDenied):
        services.saved_search_delete(actor=UserFactory(), saved_search=saved)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize("n", [1, 12])
def test_my_work_reads_as_many_queries_for_one_saved_search_as_for_many(
    client, owner, django_assert_max_num_queries, n
):
    """Intended to prevent an n+1 over the saved searches."""
    editor = person(owner, MembershipRole.EDITOR)
    for i in range(n):
        follow(editor, query=f"q=ord{i}&sector=health-care")
    client.force_login(editor)
    client.get(MY_WORK)
    with django_assert_max_num_queries(9):
        response = client.get(MY_WORK)
    assert response.content.decode().count('class="work-item saved-search"') == n


# --- emails as cases are published --------------------------------------------------------------


def test_a_newly_published_matching_case_is_emailed_once(user, owner, moderator):
    saved = follow(user)
    case = robot_case(owner)
    approve_case(moderator, case)
    emails = OutgoingEmail.objects.filter(template="saved_search_match")
    assert emails.count() == 1
    # Stored without the unsubscribe link; sent by send_queued_email, not inside the request.
    assert emails.get().body == ""
    assert not [message for message in mail.outbox if user.email in message.to]
    mail.outbox.clear()
    send_all()
    send_all()
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Ny innovasjon for søket ditt: Robot som deler ut multidose"
    assert f"https://innovasjon.example{case.get_absolute_url()}" in message.body
    token = links.unsubscribe_token(saved)
    one_click = f"https://innovasjon.example/lagrede-sok/avmeld/{token}/ett-klikk/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{one_click}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"https://innovasjon.example/lagrede-sok/avmeld/{token}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="nb">' in html
    assert "Stopp disse e-postene" in html
    saved.refresh_from_db()
    assert saved.last_notified_at is not None


def test_drafts_submissions_and_other_searches_email_nobody(user, owner, moderator, member):
    follow(user)
    follow(UserFactory(), frequency="weekly")
    # A draft and a submission that match: not public, so nobody hears of them.
    draft = services.case_create(
        actor=member,
        organisation=owner,
        data={"title": "Robot i hjemmetjenesten", "sectors": ["health-care"]},
    )
    robot_case(owner)
    # Published but not matching: another sector, or not the words.
    approve_case(moderator, submitted(owner, title="Robot i skolen", sectors=["education"]))
    approve_case(moderator, submitted(owner, title="Nye vaktordninger"))
    assert draft.status == CaseStatus.DRAFT
    assert not OutgoingEmail.objects.filter(template="saved_search_match").exists()


def test_an_archived_case_brought_back_is_not_news(user, owner, moderator):
    case = approve_case(moderator, robot_case(owner))
    follow(user)
    services.case_archive(actor=moderator, case=case, reason="Feil")
    services.case_restore(actor=moderator, case=case)
    assert not OutgoingEmail.objects.filter(template="saved_search_match").exists()


def test_stopped_searches_and_inactive_people_get_nothing(user, owner, moderator):
    saved = follow(user)
    saved.active = False
    saved.save()
    gone = UserFactory()
    follow(gone)
    gone.is_active = False
    gone.save()
    approve_case(moderator, robot_case(owner))
    assert not OutgoingEmail.objects.filter(template="saved_search_match").exists()


def test_a_search_deleted_before_the_email_goes_out_sends_nothing(user, owner, moderator):
    saved = follow(user)
    approve_case(moderator, robot_case(owner))
    services.saved_search_delete(actor=user, saved_search=saved)
    mail.outbox.clear()
    send_all()
    assert mail.outbox == []
    assert not OutgoingEmail.objects.filter(template="saved_search_match").exists()


# --- the weekly digest ----------------------------------------------------------------------------


def digest() -> None:
    call_command("send_saved_search_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115


def a_week_passes() -> None:
    """Everything that happened moves a week into the past."""
    week = timedelta(days=7)
    Case.objects.update(published_at=F("published_at") - week)
    SavedSearch.objects.update(
        created_at=F("created_at") - week, last_notified_at=F("last_notified_at") - week
    )


def test_the_weekly_digest_sends_once_then_nothing_until_new_cases(user, owner):
    saved = follow(user, frequency="weekly")
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=timezone.now() - timedelta(days=9))
    CaseFactory(organisation=owner, published=True, days_ago=20, title="Robot fra før")
    CaseFactory(
        organisation=owner,
        published=True,
        days_ago=3,
        title="Robot på sykehjem",
        sectors=["health-care"],
    )
    CaseFactory(
        organisation=owner,
        published=True,
        days_ago=2,
        title="Robot i skolen",
        sectors=["education"],
    )
    CaseFactory(
        organisation=owner,
        status=CaseStatus.SUBMITTED,
        title="Robot til vurdering",
        sectors=["health-care"],
    )
    mail.outbox.clear()
    digest()
    [message] = mail.outbox
    assert "Robot på sykehjem" in message.body
    for other in ("Robot fra før", "Robot i skolen", "Robot til vurdering"):
        assert other not in message.body
    assert "List-Unsubscribe" in message.extra_headers

    digest()
    assert len(mail.outbox) == 1

    # A week on, with no new case: still nothing.
    a_week_passes()
    digest()
    assert len(mail.outbox) == 1

    # A new case, and a week on: that case alone.
    CaseFactory(
        organisation=owner, published=True, title="Robot nummer to", sectors=["health-care"]
    )
    a_week_passes()
    digest()
    assert len(mail.outbox) == 2
    assert "Robot nummer to" in mail.outbox[1].body
    assert "Robot på sykehjem" not in mail.outbox[1].body


def test_a_long_digest_lists_the_newest_and_counts_the_rest(user, owner, monkeypatch):
    monkeypatch.setattr(services.saved_searches, "DIGEST_SIZE", 2)
    follow(user, frequency="weekly")
    for days in (3, 2, 1):
        CaseFactory(
            organisation=owner,
            published=True,
            title=f"Robot for {days} dager siden",
            sectors=["health-care"],
            published_at=timezone.now() - timedelta(days=days),
        )
    SavedSearch.objects.update(created_at=timezone.now() - timedelta(days=9))
    digest()
    [message] = mail.outbox
    assert "3 nye innovasjoner passer til søket du følger" in message.body
    assert "Robot for 1 dager siden" in message.body
    assert "Robot for 3 dager siden" not in message.body
    assert "Og 1 innovasjon til." in message.body


def test_the_digest_waits_a_week_however_often_it_runs(user, owner):
    saved = follow(user, frequency="weekly")
    SavedSearch.objects.filter(pk=saved.pk).update(
        last_notified_at=timezone.now() - timedelta(days=2)
    )
    CaseFactory(organisation=owner, published=True, title="Robot i dag", sectors=["health-care"])
    digest()
    assert mail.outbox == []


def test_immediate_searches_get_no_digest(user, owner):
    follow(user, frequency="immediate")
    CaseFactory(organisation=owner, published=True, title="Robot i dag", sectors=["health-care"])
    digest()
    assert mail.outbox == []


# --- unsubscribing without logging in -------------------------------------------------------------


def unsubscribe_path(saved) -> str:
    return reverse("saved-search-unsubscribe", kwargs={"token": links.unsubscribe_token(saved)})


def test_unsubscribing_asks_first_then_stops_the_emails(user, county):
    saved = follow(user)
    client = Client(enforce_csrf_checks=True)
    page = client.get(unsubscribe_path(saved))
    assert page.status_code == 200
    html = page.content.decode()
    assert saved.label in html
    assert "Stopp disse e-postene" in html
    saved.refresh_from_db()
    assert saved.active  # a GET (a mail scanner following links) changes nothing

    # Without the page's CSRF token: refused.
    assert client.post(unsubscribe_path(saved)).status_code == 403
    saved.refresh_from_db()
    assert saved.active

    token = page.cookies["csrftoken"].value
    response = client.post(unsubscribe_path(saved), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Du får ikke flere e-poster om dette søket" in response.content.decode()
    saved.refresh_from_db()
    assert not saved.active
    # The search stays, off, on My work.
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


def test_one_click_unsubscribe_from_the_mail_program(user, county):
    saved = follow(user)
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(saved) + "ett-klikk/"
    # Only the RFC 8058 request does it.
    response = client.post(path, {"List-Unsubscribe": "Something-Else"})
    assert response.status_code == 400
    saved.refresh_from_db()
    assert saved.active
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    saved.refresh_from_db()
    assert not saved.active
    # Again: still fine, still off.
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    # Opened in a browser: the page that asks.
    assert client.get(path).url == unsubscribe_path(saved)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "nonsense",
        lambda token: links.signing.Signer(salt="another").sign_object({"s": 1, "u": 1}),
    ],
)
def test_a_bad_unsubscribe_link_says_so_and_changes_nothing(user, county, tamper):
    saved = follow(user)
    bad = tamper(links.unsubscribe_token(saved))
    path = reverse("saved-search-unsubscribe", kwargs={"token": bad})
    client = Client()
    response = client.get(path)
    assert response.status_code == 400
    assert "Lenken for å avslutte er ikke gyldig" in response.content.decode()
    assert client.post(path).status_code == 400
    assert client.post(path + "ett-klikk/", {"List-Unsubscribe": "One-Click"}).status_code == 400
    saved.refresh_from_db()
    assert saved.active


def test_a_link_for_one_search_stops_only_that_one(user, county):
    first = follow(user)
    second = follow(user, query="q=annet")
    Client().post(unsubscribe_path(first) + "ett-klikk/", {"List-Unsubscribe": "One-Click"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    # A deleted search's link is no longer valid.
    path = unsubscribe_path(second)
    services.saved_search_delete(actor=user, saved_search=second)
    assert Client().get(path).status_code == 400
