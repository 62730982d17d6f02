"""Rights pages: the creator's link page, the entry's rights, the staff's rights page. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.markdown import render_markdown
from crowdstudio.rights import selectors, services
from crowdstudio.rights.access import (
    STAFF_CAPABILITY,
    get_entry_rights_for_user,
    get_request_for_user,
    is_author,
)
from crowdstudio.rights.forms import (
    AcceptForm,
    DeclineForm,
    PolicyForm,
    ReleaseForm,
    SendRequestsForm,
    WithdrawForm,
    add_service_error,
)
from crowdstudio.rights.models import RightsRequest

# --- the creator's link --------------------------------------------------------------------------


def _request_or_404(token: str) -> RightsRequest:
    found = selectors.request_by_token(token)
    if found is None:
        raise Http404("No such rights request")
    return found


def _link_page(
    request: HttpRequest,
    rights_request: RightsRequest,
    *,
    form: AcceptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    entry = rights_request.entry
    campaign = entry.campaign
    terms = current_terms(campaign)
    user = request.user
    now = timezone.now()
    proven = user.is_authenticated and services.handle_proven(rights_request, user)
    if form is None and proven:
        form = AcceptForm(
            campaign=campaign, user=user, initial={"terms_version_id": terms.id if terms else None}
        )
    record = selectors.record_of(entry)
    return render(
        request,
        "rights/link.html",
        {
            "rights_request": rights_request,
            "entry": entry,
            "campaign": campaign,
            "record": record,
            "terms": terms,
            "terms_html": render_markdown(terms.body) if terms else "",
            "is_open": rights_request.closed_at is None and rights_request.expires_at > now,
            "proven": proven,
            "my_code": (
                rights_request.proof_code
                if user.is_authenticated and rights_request.proof_user_id == user.pk
                else ""
            ),
            "by_link_only": entry.source in services.NO_AUTHOR_NETWORKS,
            "campaign_hashtag": (campaign.hashtags or [""])[0],
            "form": form,
            "decline_form": DeclineForm(),
        },
        status=status,
    )


@require_GET
def rights_link(request: HttpRequest, token: str) -> HttpResponse:
    """The unique link of a rights request: anyone holding it sees the entry and the terms."""
    return _link_page(request, _request_or_404(token))


@login_required
@require_POST
def rights_prove(request: HttpRequest, token: str) -> HttpResponse:
    rights_request = _request_or_404(token)
    try:
        services.rights_proof_start(rights_request=rights_request, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("rights_link", token=token)


@login_required
@require_POST
def rights_accept(request: HttpRequest, token: str) -> HttpResponse:
    rights_request = _request_or_404(token)
    campaign = rights_request.entry.campaign
    form = AcceptForm(request.POST, campaign=campaign, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rights_accept(
                rights_request=rights_request,
                user=request.user,
                terms_version_id=data["terms_version_id"],
                accept=data["accept_terms"],
                applicant=Applicant(
                    date_of_birth=data.get("date_of_birth"),
                    country=data.get("country") or "",
                    code=data.get("code") or "",
                ),
                guardian=services.Guardian(
                    name=data.get("guardian_name") or "",
                    confirmed=bool(data.get("guardian_confirmed")),
                ),
            )
        except ServiceError as error:
            add_service_error(form, error.code, error.message)
            return _link_page(request, rights_request, form=form, status=error.status)
        messages.success(request, _("Thank you! The organisers may now use your entry."))
        return redirect("entry", pk=rights_request.entry_id)
    return _link_page(request, rights_request, form=form, status=400)


@login_required
@require_POST
def rights_decline(request: HttpRequest, token: str) -> HttpResponse:
    rights_request = _request_or_404(token)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.rights_decline(rights_request=rights_request, user=request.user, reason=reason)
    except ServiceError as error:
        messages.error(request, error.message)
        return _link_page(request, rights_request, status=error.status)
    messages.success(request, _("You declined. The organisers will not use this entry."))
    return redirect("rights_link", token=token)


# --- an entry's rights ---------------------------------------------------------------------------


@login_required
@require_GET
def rights_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, evidence, releases and requests of one entry: its author and the team."""
    entry = get_entry_rights_for_user(request.user, pk)
    org_id = entry.campaign.organisation_id
    return render(
        request,
        "rights/entry.html",
        {
            "entry": entry,
            "status": selectors.rights_status(entry),
            "record": selectors.record_of(entry),
            "evidence": selectors.evidence_of(entry),
            "releases": selectors.releases_of(entry),
            "missing": selectors.missing_releases(entry),
            "requests": RightsRequest.objects.filter(entry=entry).order_by("-created_at"),
            "usable": selectors.is_usable(entry),
            "can_request": has_capability(request.user, org_id, STAFF_CAPABILITY),
            "can_add_release": is_author(request.user, entry)
            or has_capability(request.user, org_id, STAFF_CAPABILITY),
            "release_form": ReleaseForm(),
            "is_author": is_author(request.user, entry),
        },
    )


@login_required
@require_POST
def rights_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    if not is_author(request.user, entry):
        raise Http404("No such entry")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect("entry", pk=pk)
    try:
        services.rights_withdraw(
            entry=entry,
            user=request.user,
            reason=form.cleaned_data["reason"],
            confirm=form.cleaned_data["confirm"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your consent is withdrawn. The organisers have been told."))
    return redirect("entry", pk=pk)


@login_required
@require_POST
def rights_request_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, STAFF_CAPABILITY)
    result = services.rights_request_send(entries=[entry], user=request.user)
    if result.sent:
        messages.success(request, _("Rights request created."))
    else:
        messages.info(
            request, _("No request sent: this entry has an open request or settled rights.")
        )
    return redirect("rights_entry", pk=pk)


@login_required
@require_POST
def rights_release_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_rights_for_user(request.user, pk, write=True)
    form = ReleaseForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.release_add(
                entry=entry,
                user=request.user,
                kind=data["kind"],
                person_name=data["person_name"],
                signed_at=data["signed_at"],
                document=data.get("document"),
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Release recorded."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("rights_entry", pk=pk)


# --- the team's rights page ----------------------------------------------------------------------


def _campaign_page(
    request: HttpRequest, campaign: Any, *, policy_form: PolicyForm | None = None, status: int = 200
) -> HttpResponse:
    wanted = request.GET.get("status", "")
    rows = selectors.campaign_rights(campaign)
    counts = selectors.status_counts(rows)
    if wanted:
        rows = [row for row in rows if row["status"] == wanted]
    can_edit = has_capability(request.user, campaign.organisation_id, Capability.EDIT_CAMPAIGN)
    return render(
        request,
        "rights/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "counts": counts,
            "wanted": wanted,
            "policy_form": policy_form
            or (PolicyForm(instance=selectors.policy_for(campaign)) if can_edit else None),
        },
        status=status,
    )


@login_required
@require_GET
def rights_campaign(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, STAFF_CAPABILITY)
    return _campaign_page(request, campaign)


@login_required
@require_POST
def rights_send(request: HttpRequest, slug: str) -> HttpResponse:
    """Batch: one POST with the ticked entries; entries already asked are skipped."""
    campaign = get_campaign_for_user(request.user, slug, STAFF_CAPABILITY)
    entry_ids = list(campaign.entries.values_list("pk", flat=True))
    form = SendRequestsForm(request.POST, entry_ids=entry_ids)
    if not form.is_valid():
        messages.error(request, _("Tick at least one entry of this campaign."))
        return redirect("rights_campaign", slug=slug)
    entries = campaign.entries.filter(pk__in=form.cleaned_data["entries"]).select_related(
        "campaign"
    )
    result = services.rights_request_send(entries=list(entries), user=request.user)
    messages.success(
        request,
        ngettext("%(n)s rights request sent.", "%(n)s rights requests sent.", len(result.sent))
        % {"n": len(result.sent)},
    )
    if result.skipped:
        messages.info(
            request,
            ngettext(
                "%(n)s entry skipped (already asked, or rights settled).",
                "%(n)s entries skipped (already asked, or rights settled).",
                len(result.skipped),
            )
            % {"n": len(result.skipped)},
        )
    return redirect(reverse("rights_campaign", kwargs={"slug": slug}))


@login_required
@require_POST
def rights_policy(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = PolicyForm(request.POST, instance=selectors.policy_for(campaign))
    if form.is_valid():
        try:
            services.policy_save(
                campaign=campaign,
                user=request.user,
                **{name: form.cleaned_data[name] for name in services.POLICY_FIELDS},
            )
        except ServiceError as error:
            add_service_error(form, error.code, error.message)
        else:
            messages.success(request, _("Rights settings saved."))
            return redirect("rights_campaign", slug=slug)
    return _campaign_page(request, campaign, policy_form=form, status=400)


@login_required
@require_POST
def rights_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser delivered a request's link privately (e.g. an Instagram message)."""
    rights_request = get_request_for_user(request.user, pk)
    try:
        services.rights_request_mark_sent(rights_request=rights_request, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as delivered."))
    return redirect("rights_campaign", slug=rights_request.entry.campaign.slug)
