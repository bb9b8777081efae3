"""Recording reuse ("Vi har gjenbrukt dette"), changing and confirming it, and recording what
an organisation did to spread its cases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, refusals, services
from ..forms.adoptions import AdoptionForm, SpreadActivityForm
from ..models import Adoption, Organisation
from .cases import _case_or_404


def _adopting_organisations(user, case):
    return Organisation.objects.filter(
        pk__in=permissions.adopting_organisations(user, case)
    ).order_by("name")


@login_required
def adoption_create(request, slug):
    case = _case_or_404(request, slug)
    if not case.is_published:
        messages.error(request, _("Only published cases can be recorded as reused."))
        return redirect(case.get_absolute_url())
    organisations = _adopting_organisations(request.user, case)
    if not organisations:
        if permissions.is_member(request.user, case.organisation_id):
            messages.error(request, _("An organisation cannot record reuse of its own case."))
        else:
            messages.error(
                request,
                _(
                    "To record reuse you must be a member of an organisation. Ask to join one on "
                    "your profile page."
                ),
            )
        return redirect(case.get_absolute_url())
    recorded = {
        adoption.organisation_id: adoption
        for adoption in Adoption.objects.filter(
            case=case, organisation__in=organisations
        ).select_related("organisation")
    }
    if request.method != "POST" and len(recorded) == len(organisations):
        # Every organisation the user could record for has done so: offer the record itself.
        if len(recorded) == 1:
            adoption = next(iter(recorded.values()))
            messages.info(
                request,
                _("%s has already recorded reusing this case. You can change that record here.")
                % adoption.organisation,
            )
            return redirect("adoption-edit", pk=adoption.pk)
        messages.info(
            request,
            _(
                "Your organisations have already recorded reusing this case. You can change "
                "their records in the table below."
            ),
        )
        return redirect(case.get_absolute_url() + "#reused-heading")
    form = AdoptionForm(request.POST or None, organisations=organisations, case=case)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        existing = recorded.get(organisation.pk)
        if existing:
            messages.warning(
                request,
                _("%s has already recorded reusing this case. You can change that record here.")
                % organisation,
            )
            return redirect("adoption-edit", pk=existing.pk)
        try:
            services.adoption_record(
                actor=request.user, case=case, organisation=organisation, **form.service_fields()
            )
        except ValidationError as error:
            refusals.onto_form(form, error, renames={"derived_case": "derived_case_reference"})
        except services.Conflict as error:
            form.add_error(None, error.message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Thank you! The reuse is recorded and shows on the case and in the statistics."),
            )
            return redirect(case.get_absolute_url() + "#reused-heading")
    return render(request, "cases/adoption_form.html", {"form": form, "case": case})


def _adoption_or_404(request, pk: int) -> Adoption:
    """The alive adoption record, if its case is one this user may see (an archived or
    unpublished case stays hidden from other organisations, even from its adopters)."""
    adoption = get_object_or_404(
        Adoption.objects.select_related("case", "case__organisation", "organisation"), pk=pk
    )
    if not permissions.can_view_case(request.user, adoption.case):
        raise Http404
    return adoption


@login_required
def adoption_edit(request, pk):
    adoption = _adoption_or_404(request, pk)
    if not permissions.can_change_adoption(request.user, adoption):
        raise Http404
    case = adoption.case
    initial = {
        "organisation": adoption.organisation_id,
        "mode": adoption.mode,
        "channel": adoption.channel,
        "adopted_on": adoption.adopted_on,
        "status": adoption.status,
        "note": adoption.note,
        "derived_case_reference": adoption.derived_case.slug if adoption.derived_case else "",
    }
    form = AdoptionForm(
        request.POST or None,
        organisations=Organisation.objects.filter(pk=adoption.organisation_id),
        case=case,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.adoption_update(actor=request.user, adoption=adoption, **form.service_fields())
        except ValidationError as error:
            refusals.onto_form(form, error, renames={"derived_case": "derived_case_reference"})
        else:
            messages.success(request, _("The reuse record is updated."))
            return redirect(case.get_absolute_url() + "#reused-heading")
    return render(
        request, "cases/adoption_form.html", {"form": form, "case": case, "adoption": adoption}
    )


@login_required
@require_POST
def adoption_withdraw(request, pk):
    adoption = _adoption_or_404(request, pk)
    try:
        services.adoption_withdraw(
            actor=request.user,
            adoption=adoption,
            reason=request.POST.get("reason", "").strip()[:2000],
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The reuse record is withdrawn. The case's history keeps it."))
    return redirect(adoption.case.get_absolute_url() + "#reused-heading")


@login_required
@require_POST
def adoption_confirm(request, pk):
    adoption = _adoption_or_404(request, pk)
    try:
        services.adoption_confirm(actor=request.user, adoption=adoption)
    except PermissionDenied:
        raise Http404 from None
    except services.Conflict as error:
        refusals.tell(request, error)
    else:
        messages.success(request, _("The reuse is confirmed."))
    # Back where the editor confirmed it: "My work", or the case page.
    if request.POST.get("next") == reverse("my-work"):
        return redirect("my-work")
    return redirect(adoption.case.get_absolute_url() + "#reused-heading")


@login_required
def spread_create(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_record_spread(request.user, organisation):
        raise Http404
    form = SpreadActivityForm(
        request.POST or None, organisation=organisation, initial={"case": request.GET.get("case")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.spread_activity_record(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            refusals.onto_form(form, error, renames={"derived_case": "derived_case_reference"})
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect(organisation.get_absolute_url())
    return render(request, "cases/spread_form.html", {"form": form, "organisation": organisation})
