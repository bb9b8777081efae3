"""Questions to the owner of a case: who may ask, answer and hide; what the emails say; what
the case page, "My work", the API and the change feed show."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import permissions, services
from cases.models import Case, Change, Organisation, Question
from cases.refusals import Conflict
from cases.vocabularies import CaseStatus, MembershipRole
from tests.conftest import person
from tests.factories import CaseFactory, MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db

ASKED = "Hva kostet bilen i drift det første året?"
ANSWERED = "Omtrent 1,2 millioner kroner, med sjåfør."


@pytest.fixture
def case(owner):
    return CaseFactory(organisation=owner, status=CaseStatus.PUBLISHED, title="Mobilt røntgen")


@pytest.fixture
def asker(outsider):
    return outsider


def ask(asker, case, text=ASKED) -> Question:
    organisation = Organisation.objects.get(pk=permissions.asking_organisations(asker)[0])
    return services.question_ask(actor=asker, case=case, organisation=organisation, text=text)


def answered(asker, editor, case) -> Question:
    return services.question_answer(actor=editor, question=ask(asker, case), answer=ANSWERED)


# Who may do what ------------------------------------------------------------------------------

STATES = [CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.PUBLISHED, CaseStatus.ARCHIVED]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(
    ("who", "may_ask", "may_answer"),
    [
        ("anonymous", False, False),
        ("no_organisation", False, False),
        ("outsider", True, False),
        ("member", True, False),
        ("editor", True, True),
        ("moderator", False, False),
    ],
)
def test_who_may_ask_and_answer(
    request, owner, outsider, member, editor, moderator, state, who, may_ask, may_answer
):
    case = CaseFactory(organisation=owner, status=state)
    user = {
        "anonymous": None,
        "no_organisation": UserFactory(),
        "outsider": outsider,
        "member": member,
        "editor": editor,
        "moderator": moderator,
    }[who]
    published = state == CaseStatus.PUBLISHED
    assert permissions.can_ask_question(user, case) is (may_ask and published)
    assert permissions.can_answer_questions(user, case) is (may_answer and published)


def test_only_moderators_hide(case, asker, editor, member, moderator):
    question = answered(asker, editor, case)
    for user in (asker, editor, member, None):
        assert not permissions.can_hide_question(user, question)
        assert not permissions.can_hide_answer(user, question)
        with pytest.raises(PermissionDenied):
            services.question_hide(actor=user, question=question, reason="Usaklig")
    assert permissions.can_hide_question(moderator, question)
    assert permissions.can_hide_answer(moderator, question)


def test_nobody_asks_for_an_organisation_they_are_not_in(case, asker):
    with pytest.raises(PermissionDenied):
        services.question_ask(
            actor=asker, case=case, organisation=MunicipalityFactory(), text=ASKED
        )


def test_a_question_needs_words_and_fits_its_limit(case, asker):
    with pytest.raises(ValidationError):
        ask(asker, case, text="   ")
    with pytest.raises(ValidationError):
        ask(asker, case, text="x" * 2001)
    assert not Question.objects.exists()


def test_an_answer_is_given_once(case, asker, editor):
    question = answered(asker, editor, case)
    with pytest.raises(Conflict):
        services.question_answer(actor=editor, question=question, answer="Igjen")


def test_partners_do_not_answer_for_the_owner(case, asker):
    partner = MunicipalityFactory()
    case.partners.add(partner)
    partner_editor = person(partner, MembershipRole.EDITOR)
    question = ask(asker, case)
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=partner_editor, question=question, answer=ANSWERED)


# The count, the change feed and the history -----------------------------------------------------


def latest_case_entry(case) -> int:
    return (
        Change.objects.filter(kind=Change.Kind.CASE, object_id=case.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def test_answering_and_hiding_count_and_reach_the_change_feed(case, asker, editor, moderator):
    before = latest_case_entry(case)
    question = ask(asker, case)
    assert latest_case_entry(case) == before, "an unanswered question changes nothing public"
    services.question_answer(actor=editor, question=question, answer=ANSWERED)
    assert Case.objects.get(pk=case.pk).question_count == 1
    after_answer = latest_case_entry(case)
    assert after_answer > before
    services.question_hide_answer(actor=moderator, question=question, reason="Personopplysninger")
    assert Case.objects.get(pk=case.pk).question_count == 0
    assert latest_case_entry(case) > after_answer
    question.refresh_from_db()
    assert question.answer == ANSWERED, "hidden, never deleted"
    assert question.answer_hidden_by == moderator
    assert question.answer_hidden_reason == "Personopplysninger"


def test_hiding_needs_a_reason_and_keeps_the_question(case, asker, editor, moderator):
    question = answered(asker, editor, case)
    with pytest.raises(ValidationError):
        services.question_hide(actor=moderator, question=question, reason=" ")
    services.question_hide(actor=moderator, question=question, reason="Reklame")
    question.refresh_from_db()
    assert question.hidden_at
    assert question.hidden_reason == "Reklame"
    assert Case.objects.get(pk=case.pk).question_count == 0
    with pytest.raises(Conflict):
        services.question_hide(actor=moderator, question=question, reason="Igjen")


def test_a_case_saved_later_keeps_its_question_count(case, asker, editor):
    answered(asker, editor, case)
    stale = Case.objects.get(pk=case.pk)
    stale.title = "Nytt navn"
    stale.save()
    assert Case.objects.get(pk=case.pk).question_count == 1


# Emails ----------------------------------------------------------------------------------------


def test_the_owners_editors_are_told_and_the_asker_hears_the_answer(
    case, asker, editor, member, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(asker, case)
    [told] = mailoutbox
    assert told.to == [editor.email], "editors, not every member"
    assert "Mobilt røntgen" in told.subject
    assert ASKED in told.body
    answer_url = reverse("question-answer", kwargs={"slug": case.slug, "pk": question.pk})
    assert answer_url in told.body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(actor=editor, question=question, answer=ANSWERED)
    [heard] = mailoutbox
    assert heard.to == [asker.email]
    assert ANSWERED in heard.body
    assert f"{case.get_absolute_url()}#sporsmal-{question.pk}" in heard.body
    assert "svar" in heard.subject  # in bokmål


# Pages -----------------------------------------------------------------------------------------


def section(html: str) -> str:
    start = html.find('id="sporsmal"')
    assert start != -1, "the case page has its questions section"
    return html[start : html.find("</section>", start)]


def case_page(client, case, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_see_answered_questions_and_are_asked_to_log_in(client, case, asker, editor):
    answered(asker, editor, case)
    ask(asker, case, text="Et spørsmål som venter")
    html = case_page(client, case)
    shown = section(html)
    assert ASKED in shown
    assert ANSWERED in shown
    assert asker.memberships.get().organisation.name in shown
    assert "Et spørsmål som venter" not in html
    assert "Logg inn for å spørre" in shown
    assert f"?next={case.get_absolute_url()}" in shown
    assert 'href="#spor-eieren"' in html


def test_the_asker_sees_their_own_waiting_question_and_no_one_elses(client, case, asker, county):
    ask(asker, case, text="Mitt ventende spørsmål")
    other = person(MunicipalityFactory(parent=county))
    ask(other, case, text="Naboens ventende spørsmål")
    html = section(case_page(client, case, asker))
    assert "Mitt ventende spørsmål" in html
    assert "venter på svar" in html
    assert "Naboens ventende spørsmål" not in html


def test_asking_from_the_case_page(client, case, asker, editor):
    client.force_login(asker)
    organisation = asker.memberships.get().organisation
    html = section(case_page(client, case))
    assert reverse("question-ask", kwargs={"slug": case.slug}) in html
    response = client.post(
        reverse("question-ask", kwargs={"slug": case.slug}),
        {"question-organisation": organisation.pk, "question-text": ASKED},
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response.url == f"{case.get_absolute_url()}#sporsmal-{question.pk}"
    assert question.organisation == organisation
    assert question.asked_by == asker


def test_an_empty_question_shows_the_form_again(client, case, asker):
    client.force_login(asker)
    response = client.post(
        reverse("question-ask", kwargs={"slug": case.slug}),
        {"question-organisation": asker.memberships.get().organisation_id, "question-text": ""},
    )
    assert response.status_code == 200
    assert "ds-error-summary" in response.content.decode()
    assert not Question.objects.exists()


def test_asking_is_rate_limited(client, case, asker, settings):
    settings.EMAIL_LIMIT_PER_CLIENT = "2/hour"
    client.force_login(asker)
    url = reverse("question-ask", kwargs={"slug": case.slug})
    data = {
        "question-organisation": asker.memberships.get().organisation_id,
        "question-text": ASKED,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 429
    assert Question.objects.count() == 2


def test_the_owners_editor_answers_on_the_answer_page(client, case, asker, editor, member):
    question = ask(asker, case)
    url = reverse("question-answer", kwargs={"slug": case.slug, "pk": question.pk})
    client.force_login(member)
    assert client.get(url).status_code == 404, "members read; editors answer"
    client.force_login(asker)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert ASKED in client.get(url).content.decode()
    response = client.post(url, {"answer": ANSWERED, "next": reverse("my-work")})
    assert response.status_code == 302
    assert response.url == reverse("my-work")
    assert ANSWERED in section(case_page(client, case))


def test_moderators_hide_from_the_case_page(client, case, asker, editor, moderator):
    question = answered(asker, editor, case)
    url = reverse("question-hide", kwargs={"slug": case.slug, "pk": question.pk})
    client.force_login(editor)
    assert client.post(url, {"part": "question", "reason": "Nei"}).status_code == 404
    client.force_login(moderator)
    assert "Skjul spørsmålet" in section(case_page(client, case))
    assert client.post(url, {"part": "question", "reason": "Reklame"}).status_code == 302
    client.logout()
    assert ASKED not in case_page(client, case)


def test_my_work_lists_questions_to_answer_and_those_asked(client, case, asker, editor, member):
    question = ask(asker, case)
    client.force_login(editor)
    html = client.get(reverse("my-work")).content.decode()
    assert 'id="questions-heading"' in html
    assert ASKED in html
    assert reverse("question-answer", kwargs={"slug": case.slug, "pk": question.pk}) in html
    client.force_login(member)
    assert 'id="questions-heading"' not in client.get(reverse("my-work")).content.decode()
    client.force_login(asker)
    html = client.get(reverse("my-work")).content.decode()
    assert 'id="asked-heading"' in html
    assert "venter på svar" in html
    services.question_answer(actor=editor, question=question, answer=ANSWERED)
    assert "besvart" in client.get(reverse("my-work")).content.decode()


# API -------------------------------------------------------------------------------------------


def questions_api(client, case):
    return client.get(f"/api/v1/cases/{case.pk}/questions/")


def test_the_api_lists_answered_questions_only(client, case, asker, editor, moderator):
    shown = answered(asker, editor, case)
    ask(asker, case, text="Venter fortsatt")
    hidden = answered(asker, editor, case)
    services.question_hide(actor=moderator, question=hidden, reason="Reklame")
    response = questions_api(client, case)
    assert response.status_code == 200
    assert response["ETag"]
    assert response.json() == [
        {
            "id": shown.pk,
            "organisation": {
                "id": shown.organisation_id,
                "name": shown.organisation.name,
                "kind": shown.organisation.kind,
                "number": shown.organisation.number,
            },
            "question": ASKED,
            "answer": ANSWERED,
            "asked_at": response.json()[0]["asked_at"],
            "answered_at": response.json()[0]["answered_at"],
        }
    ]
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["question_count"] == 1


def test_the_api_says_nothing_of_a_case_that_is_not_public(client, owner, member):
    draft = CaseFactory(organisation=owner, status=CaseStatus.DRAFT)
    assert questions_api(client, draft).status_code == 404


def test_the_schema_names_the_question(client):
    schema = client.get(reverse("api-schema"), {"format": "json"})
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/v1/cases/{id}/questions/" in body
    assert '"Question"' in body
