"""Case pages: reading, writing, the author's side of the workflow, attachments."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import (
    caching,
    catalogue,
    lineage,
    markdown,
    permissions,
    ratelimit,
    refusals,
    selectors,
    services,
)
from ..content import LONG_TEXT
from ..forms.cases import AttachmentForm, CaseForm, ReasonForm
from ..models import Adoption, Attachment, Case, CaseEvent, CaseRevision, Organisation
from ..my_work import my_work as my_work_of
from ..my_work import send_back_reason
from ..readable import MARKDOWN_FIELDS, history_entries
from ..statistics.generations import ROGERS_MIN_ADOPTERS
from ..vocabularies import CaseStatus, OrganisationKind
from .browse import owner_place
from .catalogue import rdf_response, requested_rdf_type
from .errors import Moved

# The texts written in Markdown, rendered on the case page as in the review.
LONG_TEXT_FIELDS = MARKDOWN_FIELDS
# The editor names the source case by reference.
EDITOR_NAMES = {"source_case": "source_case_reference"}
# Adopters on the case page; all of them, a page at a time, on the case's adopters page.
ADOPTERS_SHOWN = 10
ADOPTERS_PER_PAGE = 50


def _case_or_404(request, slug: str, *, for_update: bool = False) -> Case:
    """The case, if this user may see it; otherwise 404 so that drafts do not leak.

    The lookup is among the cases this user may see, so a hidden case's 404 does exactly the
    work of a missing one's (the same queries), and tells nothing by its time. The same query
    finds a case by the provisional slug it had as a draft: a page asked for by it moves to
    the case's lasting address (a 301), so an author's links from before it was published
    keep working.
    """
    found = list(
        Case.objects.filter(permissions.visible_cases_q(request.user))
        .filter(Q(slug=slug) | Q(draft_slug=slug))
        .select_related(
            "organisation", "organisation__county", "organisation__municipality", "source_case"
        )
        .prefetch_related("terms", "partners")[:2]
    )
    case = next((c for c in found if c.slug == slug), found[0] if found else None)
    if case is None or not permissions.can_view_case(request.user, case):
        raise Http404
    if case.slug != slug:
        if request.method not in ("GET", "HEAD"):
            raise Http404
        raise Moved(request.get_full_path().replace(f"/{slug}/", f"/{case.slug}/", 1))
    return case


def reuse_context(reuse: selectors.CaseReuse | None) -> dict:
    """What the case page's fragments of its reuse (family, spread, places) are made from."""
    tree = reuse.tree if reuse else None
    diffusion = reuse.spread if reuse else None
    return {
        "lineage": tree,
        "diffusion": diffusion,
        "reuse_places": reuse.places if reuse and diffusion and diffusion["total"] else None,
        # What the fragments are cached under, besides case and language.
        "data_version": reuse.version if reuse else None,
        "lineage_members": ",".join(map(str, lineage.members(tree))) if tree else "",
    }


# The templates whose cached fragments `reuse_context` makes.
REUSE_FRAGMENTS = ("cases/_diffusion.html", "cases/_reuse_map.html", "cases/_lineage_tree.html")


def render_reuse_fragments(case: Case, reuse: selectors.CaseReuse) -> None:
    """Fill the cache of the page's reuse fragments made from `reuse`, in every language. Called
    where `reuse` is made again after a write, outside the request: the visitor who first gets
    it then does not render the family and places of a case reused by hundreds."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            context = {"case": case, "LANGUAGE_CODE": code, **reuse_context(reuse)}
            for name in REUSE_FRAGMENTS:
                render_to_string(name, context)


@caching.cached_response(lambda request, slug: [f"case/{slug}", caching.CATALOGUE])
def case_detail(request, slug):
    case = _case_or_404(request, slug)
    # The same address also describes a published case in RDF (cases/catalogue.py).
    rdf_type = requested_rdf_type(request, html_first=True)
    if rdf_type is not None:
        if not case.is_published:
            raise Http404
        return rdf_response(catalogue.case_graph(case), rdf_type)
    user = request.user
    attachments = [
        a
        for a in case.attachments.all()
        if not a.pending or permissions.can_view_history(user, case)
    ]
    pending_revision = None
    if permissions.can_view_history(user, case):
        pending_revision = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
    # The same records as everywhere else the public sees reuse: alive, by an organisation
    # that still exists, of a published case. The first few; the rest on their own pages.
    adoptions = (
        list(selectors.case_adopters(case, in_order_of_adoption=False)[:ADOPTERS_SHOWN])
        if case.is_published
        else []
    )
    _mark_actions(user, adoptions)
    owner = case.organisation
    # The municipality a unit lies in (a municipality is its own and needs no line of its own).
    municipality = owner.municipality if owner.municipality_id != owner.pk else None
    owner_municipality = (
        municipality if municipality is not None and municipality.deleted_at is None else None
    )
    version = similar_version = None
    if case.is_published:
        # Read before the data (cases/caching.py).
        version, similar_version = selectors.case_versions(case)
    # The family, the diffusion figures and the places; after a write, those from before it
    # while one process makes them again.
    reuse = (
        selectors.case_reuse(case, version=version, made=render_reuse_fragments)
        if version is not None
        else None
    )
    fragments = reuse_context(reuse)
    tree = fragments["lineage"]
    context = {
        "case": case,
        "owner_municipality": owner_municipality,
        **fragments,
        "relations": lineage.relations(tree, case) if tree else None,
        "owner_place": owner_place(owner),
        "similar": selectors.similar_cases(case, version=similar_version)
        if case.is_published
        else [],
        "json_ld": json_ld(request, case) if case.is_published else None,
        "can_adopt": permissions.can_record_adoption(user, case),
        "rendered": _rendered(case),
        "attachments": attachments,
        "adoptions": adoptions,
        "adoption_total": _adoption_total(case, adoptions, reuse),
        # The actions column only when this user can act on some record.
        "adoption_actions": any(a.can_change or a.can_confirm for a in adoptions),
        "pending_revision": pending_revision,
        "can": {
            "edit": permissions.can_edit_case(user, case),
            "submit": permissions.can_submit_case(user, case),
            "moderate": permissions.can_moderate_case(user, case),
            "archive": permissions.can_archive_case(user, case),
            "restore": permissions.can_restore_case(user, case),
            "delete": permissions.can_delete_case(user, case),
            "report": permissions.can_report_case(user, case),
            "history": permissions.can_view_history(user, case),
        },
        "missing": services.missing_for_submission(case)
        if permissions.can_submit_case(user, case)
        else [],
        "last_request": case.events.filter(kind=CaseEvent.Kind.CHANGES_REQUESTED).last()
        if case.status == CaseStatus.CHANGES_REQUESTED
        else None,
        "reason_form": ReasonForm(),
    }
    response = render(request, "cases/case_detail.html", context)
    patch_vary_headers(response, ["Accept"])
    if reuse and reuse.behind:
        caching.made_from_older_data(response)
    return response


def _adoption_total(case: Case, shown: list[Adoption], reuse: selectors.CaseReuse | None) -> int:
    """How many organisations reused the case, as the list of them shows: those shown when
    they are all there is; otherwise the figures' count, or, while the figures are from
    before the last write, a count of the records (the figures of a reuse just recorded must
    not contradict the list beside them)."""
    if len(shown) < ADOPTERS_SHOWN:
        return len(shown)
    if reuse is None or reuse.behind:
        return selectors.case_adopters(case).count()
    return reuse.spread["total"]


# The sanitiser's rules are part of the key, so a change to them renders every text again.
MARKDOWN_RULES = repr(
    (
        sorted(markdown.ALLOWED_TAGS),
        sorted((tag, sorted(names)) for tag, names in markdown.ALLOWED_ATTRIBUTES.items()),
        sorted(markdown.ALLOWED_URL_SCHEMES),
    )
)
MARKDOWN_CACHE_SECONDS = 24 * 3600


def _rendered(case: Case) -> dict:
    """The long texts as sanitised HTML (cases/markdown.py), cached by their content: the same
    text always renders the same, so a cached rendering is never stale."""
    texts = [getattr(case, field) for field in LONG_TEXT_FIELDS]
    digest = hashlib.sha256(json.dumps([MARKDOWN_RULES, texts]).encode()).hexdigest()
    key = f"case:markdown:{digest}"
    rendered = cache.get(key)
    if rendered is None:
        rendered = [str(markdown.render(text)) for text in texts]
        cache.set(key, rendered, MARKDOWN_CACHE_SECONDS)
    # What the sanitiser returned, kept in the cache as plain strings.
    return {
        field: mark_safe(html)  # noqa: S308
        for field, html in zip(LONG_TEXT_FIELDS, rendered, strict=True)
    }


def _mark_actions(user, adoptions) -> None:
    for adoption in adoptions:
        adoption.can_change = permissions.can_change_adoption(user, adoption)
        adoption.can_confirm = permissions.can_confirm_adoption(user, adoption)


def case_adopters(request, slug):
    """Every organisation that reused a published case, a page at a time, in order of
    adoption with each one's Rogers category: the full list behind the case page's first few."""
    case = _case_or_404(request, slug)
    if not case.is_published:
        raise Http404
    paginator = Paginator(selectors.case_adopters(case), ADOPTERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    adoptions = list(page.object_list)
    _mark_actions(request.user, adoptions)
    for position, adoption in enumerate(adoptions, start=page.start_index()):
        adoption.position = position
        adoption.category = selectors.rogers_category(position, paginator.count)
    context = {
        "case": case,
        "page": page,
        "adoptions": adoptions,
        "adoption_actions": any(a.can_change or a.can_confirm for a in adoptions),
        "rogers_min_adopters": ROGERS_MIN_ADOPTERS,
    }
    return render(request, "cases/case_adopters.html", context)


def json_ld(request, case: Case) -> dict:
    """schema.org description of a published case, for search engines and harvesters.

    A CreativeWork by its owner organisation, with only the properties that have a value
    (schema.org validators flag nulls), absolute URLs, ISO 8601 dates and the source case as
    `isBasedOn` when that is published.
    """
    government = {
        OrganisationKind.MUNICIPALITY,
        OrganisationKind.COUNTY,
        OrganisationKind.UNIT,
        OrganisationKind.STATE_AGENCY,
    }

    def organisation_ld(organisation: Organisation) -> dict:
        return {
            "@type": "GovernmentOrganization"
            if organisation.kind in government
            else "Organization",
            "name": organisation.name,
            "url": request.build_absolute_uri(organisation.get_absolute_url()),
        }

    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": request.build_absolute_uri(case.get_absolute_url()),
        "url": request.build_absolute_uri(case.get_absolute_url()),
        "name": case.title,
        "headline": case.title[:110],
        "description": case.summary or markdown.to_text(case.problem)[:300],
        "inLanguage": "nb",
        "author": organisation_ld(case.organisation),
        "dateModified": case.updated_at.isoformat(),
    }
    if case.published_at:
        data["datePublished"] = case.published_at.isoformat()
    keywords = [*case.sector_labels, *case.innovation_type_labels, *case.tags]
    if keywords:
        data["keywords"] = ", ".join(str(k) for k in keywords)
    partners = [organisation_ld(partner) for partner in case.partners.all()]
    if partners:
        data["contributor"] = partners
    area = case.organisation.county if case.organisation.county_id else None
    if area is not None:
        data["spatialCoverage"] = {"@type": "AdministrativeArea", "name": area.name}
    if (source := case.source_case) is not None and source.is_published:
        data["isBasedOn"] = request.build_absolute_uri(source.get_absolute_url())
    if not data["description"]:
        del data["description"]
    return data


def _editor_organisations(user):
    return Organisation.objects.filter(pk__in=list(permissions.roles(user))).order_by("name")


def _missing_in_form(form, case: Case) -> list[tuple[str, str]]:
    """What the case lacks before it can be submitted, as (the id of its field in the editor,
    what the author is told); each such field is marked invalid for assistive technology."""
    missing = []
    for name, message in services.missing_fields(case):
        if name not in form.fields:
            continue
        field = form[name]
        form.fields[name].widget.attrs["aria-invalid"] = "true"
        missing.append((field.auto_id + ("_0" if field.use_fieldset else ""), message))
    return missing


def _render_editor(
    request,
    form,
    *,
    attachment_form,
    case=None,
    revision=None,
    preview=None,
    files_action=False,
    missing=(),
):
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "case": case,
            "revision": revision,
            "send_back_reason": send_back_reason(case) if case else "",
            "preview": preview,
            "attachment_form": attachment_form,
            "attachments": case.attachments.all() if case else [],
            # The page's address ends in #vedlegg (templates/cases/_attachments_field.html).
            "files_action": files_action,
            "missing_to_submit": missing,
        },
    )


def _attachment_form(request, case: Case | None) -> AttachmentForm:
    """The editor's own file field, bound when the author asked to upload (or saved with a
    file chosen)."""
    bound = request.method == "POST" and _uploading(request)
    return AttachmentForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        prefix="attachment",
        session=request.session,
        case_id=case.pk if case else None,
    )


def _uploading(request) -> bool:
    # A file chosen and then "Save draft" pressed is uploaded too, rather than silently lost.
    saving_with_file = "save" in request.POST and "attachment-file" in request.FILES
    return "upload" in request.POST or saving_with_file


def _editing_files(request) -> bool:
    return _uploading(request) or "remove_attachment" in request.POST


def _files_action(request, form, attachment_form, *, case=None, revision=None):
    """Upload or remove a file from within the editor. The text typed so far is saved first
    (as a draft, or on a published case as the edit that waits for approval), so nothing is
    lost, and the page comes back to the files (#vedlegg). When the file is refused, the page
    shows why beside it and keeps the chosen file (AttachmentForm.keep_file)."""
    removing = request.POST.get("remove_attachment")
    files_valid = bool(removing) or attachment_form.is_valid()
    if not form.is_valid() or not files_valid:
        if not files_valid:
            attachment_form.keep_file()
        return _render_editor(
            request,
            form,
            attachment_form=attachment_form,
            case=case,
            revision=revision,
            files_action=True,
        )
    try:
        if case is None:
            case = services.case_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.content(),
            )
            messages.success(request, _("Saved as a draft. Only your organisation can see it."))
        else:
            services.case_update(actor=request.user, case=case, data=form.content())
    except ValidationError as error:
        refusals.onto_form(form, error, renames=EDITOR_NAMES)
        return _render_editor(
            request,
            form,
            attachment_form=attachment_form,
            case=case,
            revision=revision,
            files_action=True,
        )
    except (services.Conflict, PermissionDenied) as error:
        refusals.tell(request, error)
    else:
        if removing:
            _remove_attachment(request, case, removing)
        else:
            _add_attachment(request, case, attachment_form)
    return redirect(reverse("case-edit", kwargs={"slug": case.slug}) + "#vedlegg")


def _add_attachment(request, case: Case, attachment_form: AttachmentForm) -> None:
    data = attachment_form.cleaned_data
    try:
        services.attachment_add(
            actor=request.user,
            case=case,
            upload=data["upload"],
            title=data["title"],
            alt_text=data["alt_text"],
        )
    except (ValidationError, PermissionDenied) as error:
        refusals.tell(request, error)
        return
    attachment_form.release_file()
    messages.success(
        request,
        _("The file is added. It becomes public when a moderator approves the edit.")
        if case.status == CaseStatus.PUBLISHED
        else _("The file is added."),
    )


def _remove_attachment(request, case: Case, pk: str) -> None:
    attachment = get_object_or_404(Attachment, pk=int(pk) if pk.isdigit() else 0, case=case)
    try:
        services.attachment_remove(actor=request.user, case=case, attachment=attachment)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        refusals.tell(request, error)
    else:
        messages.success(request, _("The file is removed."))


# The most text a formatting preview renders: the longest text a case may hold.
PREVIEW_MAX_LENGTH = LONG_TEXT


@login_required
@require_POST
def text_preview(request):
    """One long text as the case page will show it (Markdown through the sanitiser), for the
    editor's "Preview" beside each text. Only for those who may write cases."""
    if not permissions.roles(request.user):
        raise Http404
    text = request.POST.get("text", "")[:PREVIEW_MAX_LENGTH]
    return render(request, "cases/_text_preview.html", {"html": markdown.render(text)})


def _preview_of(form: CaseForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data.get("title", ""),
        "summary": data.get("summary", ""),
        **{field: markdown.render(data.get(field, "")) for field in LONG_TEXT_FIELDS},
    }


@login_required
def case_create(request):
    organisations = _editor_organisations(request.user)
    if not organisations:
        messages.info(
            request,
            _(
                "To write a case you must be a member of an organisation. Ask to join one on "
                "your profile page."
            ),
        )
        return redirect("profile")
    form = CaseForm(request.POST or None, organisations=organisations)
    attachment_form = _attachment_form(request, None)
    if request.method == "POST" and _editing_files(request):
        return _files_action(request, form, attachment_form)
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            return _render_editor(
                request, form, attachment_form=attachment_form, preview=_preview_of(form)
            )
        try:
            case = services.case_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.content(),
            )
        except ValidationError as error:
            refusals.onto_form(form, error, renames=EDITOR_NAMES)
        else:
            return _after_save(request, case, submit="submit" in request.POST)
    return _render_editor(request, form, attachment_form=attachment_form)


# The editor's address after a submission refused for what the case lacks: the page then
# names each missing field, with a link to it, where focus lands.
SUBMISSION_TRIED = "innsending"


def _after_save(request, case: Case, *, submit: bool):
    if submit:
        try:
            services.case_submit(actor=request.user, case=case)
        except ValidationError:
            edit = reverse("case-edit", kwargs={"slug": case.slug})
            return redirect(f"{edit}?{SUBMISSION_TRIED}=1")
        except services.Conflict as error:
            refusals.tell(request, error)
            return redirect("case-edit", slug=case.slug)
        messages.success(
            request,
            _(
                "The case is submitted. A moderator will review it; you get an email when it is "
                "published or sent back."
            ),
        )
        return redirect(case.get_absolute_url())
    messages.success(request, _("Saved as a draft. Only your organisation can see it."))
    return redirect("case-edit", slug=case.slug)


@login_required
def case_edit(request, slug):
    case = _case_or_404(request, slug)
    if not permissions.can_edit_case(request.user, case):
        raise Http404
    revision = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
    current = revision.data if revision else services.case_snapshot(case)
    form = CaseForm(
        request.POST or None,
        organisations=Organisation.objects.filter(pk=case.organisation_id),
        case=case,
        initial={**CaseForm.initial_from(current), "organisation": case.organisation_id},
    )
    attachment_form = _attachment_form(request, case)
    if request.method == "POST" and _editing_files(request):
        return _files_action(request, form, attachment_form, case=case, revision=revision)
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            return _render_editor(
                request,
                form,
                attachment_form=attachment_form,
                case=case,
                revision=revision,
                preview=_preview_of(form),
            )
        try:
            result = services.case_update(actor=request.user, case=case, data=form.content())
        except (ValidationError, services.Conflict, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                refusals.onto_form(form, error, renames=EDITOR_NAMES)
            else:
                refusals.tell(request, error)
        else:
            if isinstance(result, CaseRevision):
                messages.success(
                    request,
                    _(
                        "Your edit waits for a moderator. The published text stays as it is "
                        "until the edit is approved."
                    ),
                )
                return redirect(case.get_absolute_url())
            if case.status == CaseStatus.PUBLISHED:
                messages.info(request, _("Nothing changed."))
                return redirect(case.get_absolute_url())
            return _after_save(request, result, submit="submit" in request.POST)
    tried = request.method == "GET" and request.GET.get(SUBMISSION_TRIED)
    return _render_editor(
        request,
        form,
        attachment_form=attachment_form,
        case=case,
        revision=revision,
        missing=_missing_in_form(form, case) if tried else (),
    )


def _post_action(request, slug, action):
    """Run a workflow action on a visible case and go back to its page with a message."""
    case = _case_or_404(request, slug)
    try:
        message = action(case)
    except PermissionDenied:
        raise Http404 from None
    except (ValidationError, services.Conflict) as error:
        refusals.tell(request, error)
    else:
        messages.success(request, message)
    case.refresh_from_db()
    if not permissions.can_view_case(request.user, case):
        return redirect("my-work")
    return HttpResponseRedirect(case.get_absolute_url())


@login_required
@require_POST
def case_submit(request, slug):
    def action(case):
        services.case_submit(actor=request.user, case=case)
        return _("The case is submitted. A moderator will review it.")

    return _post_action(request, slug, action)


@login_required
@require_POST
def case_archive(request, slug):
    def action(case):
        services.case_archive(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        return _("The case is archived and no longer public.")

    return _post_action(request, slug, action)


@login_required
@require_POST
def case_restore(request, slug):
    def action(case):
        services.case_restore(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        return _("The case is public again.")

    return _post_action(request, slug, action)


@login_required
@require_POST
def case_delete(request, slug):
    def action(case):
        services.case_delete(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        return _("The draft is deleted.")

    return _post_action(request, slug, action)


@login_required
@require_POST
def case_report(request, slug):
    def action(case):
        # Over the limit: a 429 page (RateLimitMiddleware), and no report or email.
        ratelimit.email_sent(request)
        services.case_report(actor=request.user, case=case, reason=request.POST.get("reason", ""))
        return _("Thank you. The moderators have been told.")

    return _post_action(request, slug, action)


@login_required
def case_history(request, slug):
    case = _case_or_404(request, slug)
    if not permissions.can_view_history(request.user, case):
        raise Http404
    events = list(case.events.select_related("actor").order_by("-created_at", "-id"))
    return render(
        request,
        "cases/case_history.html",
        {"case": case, "events": events, "entries": history_entries(events)},
    )


@login_required
def my_work(request):
    """What waits for the signed-in person: their organisations' cases by where each stands,
    with the moderator's reason on those sent back, and reuse records to confirm."""
    return render(request, "cases/my_work.html", {"work": my_work_of(request.user)})


@login_required
@require_POST
def attachment_add(request, slug):
    case = _case_or_404(request, slug)
    if not permissions.can_edit_case(request.user, case):
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                case=case,
                upload=form.cleaned_data["upload"],
                title=form.cleaned_data["title"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as error:
            refusals.tell(request, error)
        else:
            messages.success(
                request,
                _("The file is added. It becomes public when a moderator approves the edit.")
                if case.status == CaseStatus.PUBLISHED
                else _("The file is added."),
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(reverse("case-edit", kwargs={"slug": case.slug}) + "#vedlegg")


@login_required
@require_POST
def attachment_remove(request, slug, pk):
    case = _case_or_404(request, slug)
    _remove_attachment(request, case, str(pk))
    return redirect(reverse("case-edit", kwargs={"slug": case.slug}) + "#vedlegg")


def attachment_download(request, pk, name):
    """Serve a file only to those who may see its case, as a download with its stored type.

    Images are shown inline; everything else is a download. nosniff and a sandboxing CSP make
    sure a browser never runs an upload as a page from this site.
    """
    attachment = get_object_or_404(Attachment.objects.select_related("case"), pk=pk)
    case = attachment.case
    if not permissions.can_view_case(request.user, case):
        raise Http404
    if attachment.pending and not permissions.can_view_history(request.user, case):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != "image",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not case.is_published:
        response["Cache-Control"] = "private, no-store"
    return response
