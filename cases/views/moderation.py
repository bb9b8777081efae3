"""The moderators' side: the queue, reviewing submissions and edits, handling reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, refusals, services
from ..forms.cases import ReasonForm
from ..models import Case, CaseEvent, CaseReport, CaseRevision
from ..readable import Names, review_fields
from ..vocabularies import CaseStatus


def _moderator_only(request) -> None:
    # The queue's existence is no secret, but its content is: others get 404, not a login hint.
    if not permissions.can_view_queue(request.user):
        raise Http404


@login_required
def queue(request):
    _moderator_only(request)
    submitted = (
        Case.objects.filter(status=CaseStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    revisions = (
        CaseRevision.objects.filter(status=CaseRevision.Status.PENDING, case__deleted_at=None)
        .select_related("case", "case__organisation", "created_by")
        .order_by("created_at", "pk")
    )
    reports = (
        CaseReport.objects.filter(resolved_at__isnull=True)
        .select_related("case", "reporter")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "moderation/queue.html",
        {"submitted": submitted, "revisions": revisions, "reports": reports},
    )


def _decide(request, *, approve, approved, send_back_action, send_back, sent_back):
    """A review page's two buttons: "approve", or `send_back_action` with a reason.

    Returns the redirect to the queue once the decision is made or refused (None while the page
    is still to be shown) and the reason form, bound with its errors after an invalid reason.
    """
    form = ReasonForm()
    if request.method != "POST":
        return None, form
    action = request.POST.get("action")
    try:
        if action == "approve":
            approve()
            messages.success(request, approved)
            return redirect("moderation-queue"), form
        if action == send_back_action:
            form = ReasonForm(request.POST)
            if form.is_valid():
                send_back(form.cleaned_data["reason"])
                messages.success(request, sent_back)
                return redirect("moderation-queue"), form
    except (PermissionDenied, ValidationError, services.Conflict) as error:
        # Only moderators reach this far (see _moderator_only): what they are refused, such as
        # approving their own organisation's case, is said to them.
        refusals.tell(request, error)
        return redirect("moderation-queue"), form
    return None, form


@login_required
def review_case(request, slug):
    _moderator_only(request)
    case = get_object_or_404(
        Case.objects.select_related("organisation", "source_case").prefetch_related(
            "terms", "partners", "attachments"
        ),
        slug=slug,
    )
    done, form = _decide(
        request,
        approve=lambda: services.case_approve(
            actor=request.user, case=case, reviewed_version=request.POST.get("version", "")
        ),
        approved=_("“%s” is published.") % case.title,
        send_back_action="request-changes",
        send_back=lambda reason: services.case_request_changes(
            actor=request.user, case=case, reason=reason
        ),
        sent_back=_("“%s” is sent back to its authors.") % case.title,
    )
    if done:
        return done
    content = services.case_snapshot(case)
    sent_back, before = _sent_back_version(case)
    fields = review_fields(content, before, Names([content, before or {}]))
    return render(
        request,
        "moderation/review_case.html",
        {
            "case": case,
            "fields": fields,
            "sent_back": sent_back,
            "changes": [view for view in fields if view.changed],
            "form": form,
            "version": services.case_version(case),
            "may_approve": permissions.can_approve_case(request.user, case),
            "events": case.events.select_related("actor").order_by("-created_at")[:20],
        },
    )


def _sent_back_version(case: Case) -> tuple[CaseEvent | None, dict | None]:
    """For a case submitted again after a moderator sent it back: that event, and the case as
    it was submitted before it (the version the moderator read), so that the review marks what
    the authors changed since. (None, None) for a case submitted for the first time."""
    if case.status != CaseStatus.SUBMITTED:
        return None, None
    sent_back = (
        case.events.filter(kind=CaseEvent.Kind.CHANGES_REQUESTED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if sent_back is None:
        return None, None
    submitted = (
        case.events.filter(
            kind=CaseEvent.Kind.SUBMITTED,
            created_at__lte=sent_back.created_at,
            snapshot__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return sent_back, submitted.snapshot if submitted is not None else None


@login_required
def review_revision(request, pk):
    _moderator_only(request)
    revision = get_object_or_404(
        CaseRevision.objects.select_related("case", "case__organisation", "created_by"), pk=pk
    )
    case = revision.case
    done, form = _decide(
        request,
        approve=lambda: services.revision_approve(
            actor=request.user, revision=revision, reviewed_version=request.POST.get("version", "")
        ),
        approved=_("The edit of “%s” is published.") % case.title,
        send_back_action="reject",
        send_back=lambda reason: services.revision_reject(
            actor=request.user, revision=revision, reason=reason
        ),
        sent_back=_("The edit is sent back; the published text stays."),
    )
    if done:
        return done
    published = services.case_snapshot(case)
    proposed = {**published, **revision.data}
    fields = review_fields(proposed, published, Names([published, proposed]))
    return render(
        request,
        "moderation/review_revision.html",
        {
            "revision": revision,
            "case": case,
            "fields": fields,
            "changes": [view for view in fields if view.changed],
            "form": form,
            "version": services.case_version(case),
            "may_approve": permissions.can_approve_edit(request.user, revision),
        },
    )


@login_required
@require_POST
def report_resolve(request, pk):
    _moderator_only(request)
    report = get_object_or_404(CaseReport, pk=pk)
    try:
        services.report_resolve(
            actor=request.user, report=report, resolution=request.POST.get("resolution", "")
        )
    except services.Conflict as error:
        refusals.tell(request, error)
    else:
        messages.success(request, _("The report is marked as handled."))
    return redirect("moderation-queue")
