"""Public campaign pages, the studio pages that run a campaign, and the error pages.

Thin (CONVENTIONS §2): parse the input, call one service, render. Access goes through
`get_campaign_for_user`; a service's refusal (ServiceError) becomes a form error or a message.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crowdstudio.accounts.access import get_organisation_for_user
from crowdstudio.accounts.models import ApiToken, Organisation, User
from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.accounts.services import api_token_create, api_token_revoke
from crowdstudio.audit.selectors import audit_for_campaign
from crowdstudio.campaigns import selectors, services
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.forms import (
    CampaignForm,
    CodesForm,
    PrizeForm,
    RoundForm,
    StatusForm,
    TermsForm,
    TokenForm,
    add_service_error,
)
from crowdstudio.campaigns.models import Campaign, CampaignStatus, Prize
from crowdstudio.entries.selectors import gallery
from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.http import safe_next
from crowdstudio.lib.markdown import render_markdown

GALLERY_PAGE_SIZE = 24
CAMPAIGNS_PAGE_SIZE = 24
AUDIT_PAGE_SIZE = 50

#: The studio toolbar's button for moving a campaign into each status.
TRANSITION_LABELS = {
    CampaignStatus.OPEN: gettext_lazy("Open for entries"),
    CampaignStatus.JUDGING: gettext_lazy("Close entries and start judging"),
    CampaignStatus.CLOSED: gettext_lazy("Close the campaign"),
    CampaignStatus.ARCHIVED: gettext_lazy("Archive"),
}


def _capabilities(user: Any, campaign: Campaign) -> dict[str, bool]:
    """What this person may do here, for the templates: {"edit_campaign": True, ...}."""
    return {cap.value: has_capability(user, campaign.organisation_id, cap) for cap in Capability}


# Public pages ------------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_campaigns(), CAMPAIGNS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cards = selectors.campaign_cards(page.object_list, now=timezone.now())
    return render(request, "campaigns/campaign_list.html", {"page": page, "cards": cards})


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    now = timezone.now()
    rounds = selectors.schedule(campaign)
    open_round = next((rnd for rnd in rounds if rnd.opens_at <= now < rnd.closes_at), None)
    terms = services.current_terms(campaign)
    can = _capabilities(request.user, campaign)
    transitions = []
    if can[Capability.CHANGE_STATUS]:
        transitions = [
            (status, TRANSITION_LABELS[CampaignStatus(status)])
            for status in CampaignStatus.values
            if status in services.ALLOWED_TRANSITIONS[campaign.status]
        ]
    page = Paginator(gallery(campaign), GALLERY_PAGE_SIZE).get_page(1)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "rounds": rounds,
            "open_round": open_round,
            "accepting": campaign.status == CampaignStatus.OPEN and open_round is not None,
            "terms": terms,
            "can": can,
            "transitions": transitions,
            "page": page,
            "now": now,
            "tracks": list(campaign.tracks.all()),
        },
    )


def campaign_gallery(request: HttpRequest, slug: str) -> HttpResponse:
    """The approved entries, a page at a time: only the items for htmx, else a whole page."""
    campaign = get_campaign_for_user(request.user, slug)
    page = Paginator(gallery(campaign), GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))
    partial = request.headers.get("HX-Request") == "true"
    template = "campaigns/_gallery_items.html" if partial else "campaigns/gallery.html"
    response = render(request, template, {"campaign": campaign, "page": page, "partial": partial})
    patch_vary_headers(response, ("HX-Request",))
    return response


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/privacy.html")


# Personal API tokens ----------------------------------------------------------------------

# TODO: move these two writes into crowdstudio/accounts/services.py (api_token_create,
# api_token_revoke) when that module exists; they are here only because it does not yet.


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm()
    raw = ""
    created = None
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                token_id = int(request.POST["revoke"])
            except ValueError:
                token_id = 0
            if api_token_revoke(user=request.user, token_id=token_id):
                messages.success(request, _("The token was revoked; it no longer works."))
            else:
                messages.error(request, _("That token does not exist or was already revoked."))
            return redirect("api_tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            created, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    assert isinstance(request.user, User)  # login_required
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    response = render(
        request,
        "campaigns/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "raw": raw,
            "created": created,
        },
        status=400 if form.errors else 200,
    )
    # The raw token is in this page once; no cache may keep a copy.
    add_never_cache_headers(response)
    return response


# Studio ------------------------------------------------------------------------------------


@login_required
def studio_home(request: HttpRequest) -> HttpResponse:
    overview = selectors.studio_overview(request.user)
    return render(
        request, "campaigns/studio.html", {"overview": overview}, status=200 if overview else 403
    )


def _render_campaign_form(
    request: HttpRequest,
    form: CampaignForm,
    *,
    organisation: Organisation,
    campaign: Campaign | None = None,
) -> HttpResponse:
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "organisation": organisation,
            "campaign": campaign,
        },
        status=400 if form.errors else 200,
    )


@login_required
def campaign_new(request: HttpRequest, org: str) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, org, Capability.EDIT_CAMPAIGN)
    form = CampaignForm(initial={"accepted_kinds": ["image"]})
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_create(
                    organisation=organisation, user=request.user, **form.service_fields()
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(
                    request,
                    _("The draft is saved. Add a round and publish the terms, then open it."),
                )
                return redirect("campaign", slug=campaign.slug)
    return _render_campaign_form(request, form, organisation=organisation)


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = CampaignForm(initial=CampaignForm.initial_from(campaign))
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_update(
                    campaign=campaign, user=request.user, **form.service_fields()
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("campaign", slug=campaign.slug)
    return _render_campaign_form(
        request, form, organisation=campaign.organisation, campaign=campaign
    )


@login_required
@require_POST
def campaign_status(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.CHANGE_STATUS)
    fallback = reverse("campaign", kwargs={"slug": campaign.slug})
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(safe_next(request, fallback))
    try:
        services.campaign_transition(
            campaign=campaign,
            user=request.user,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The campaign is now: %(status)s.")
            % {"status": CampaignStatus(campaign.status).label},
        )
    return redirect(safe_next(request, fallback))


@login_required
def round_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = RoundForm()
    if request.method == "POST":
        form = RoundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rnd = services.round_add(
                    campaign=campaign,
                    user=request.user,
                    title=data["title"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    advance_top_n=data["advance_top_n"],
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(
                    request,
                    _("Round %(n)s “%(title)s” is added.") % {"n": rnd.number, "title": rnd.title},
                )
                return redirect("round_create", slug=campaign.slug)
    return render(
        request,
        "campaigns/rounds.html",
        {
            "campaign": campaign,
            "form": form,
            "rounds": selectors.schedule(campaign),
        },
        status=400 if form.errors else 200,
    )


@login_required
def round_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    rnd = get_object_or_404(campaign.rounds, number=number)
    form = RoundForm(
        initial={
            "title": rnd.title,
            "opens_at": timezone.localtime(rnd.opens_at),
            "closes_at": timezone.localtime(rnd.closes_at),
            "advance_top_n": rnd.advance_top_n,
        }
    )
    if request.method == "POST":
        form = RoundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.round_update(
                    round=rnd,
                    user=request.user,
                    title=data["title"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    advance_top_n=data["advance_top_n"],
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("Round %(n)s is saved.") % {"n": rnd.number})
                return redirect("round_create", slug=campaign.slug)
    return render(
        request,
        "campaigns/round_edit.html",
        {"campaign": campaign, "round": rnd, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def prize_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = PrizeForm(campaign=campaign)
    if request.method == "POST":
        form = PrizeForm(request.POST, campaign=campaign)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prize = services.prize_add(
                    round=data["round"],
                    user=request.user,
                    rank=data["rank"],
                    title=data["title"],
                    kind=data["kind"],
                    amount=data["amount"],
                    currency=data["currency"],
                    description=data["description"],
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(
                    request, _("The prize “%(title)s” is added.") % {"title": prize.title}
                )
                return redirect("prize_create", slug=campaign.slug)
    return render(
        request,
        "campaigns/prizes.html",
        {
            "campaign": campaign,
            "form": form,
            "rounds": selectors.schedule(campaign),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def prize_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    prize = get_object_or_404(
        Prize.objects.select_related("round__campaign"), pk=pk, round__campaign=campaign
    )
    try:
        services.prize_remove(prize=prize, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The prize “%(title)s” is removed.") % {"title": prize.title})
    return redirect("prize_create", slug=campaign.slug)


@login_required
def terms_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    current = services.current_terms(campaign)
    form = TermsForm(initial={"body": current.body if current else ""})
    if request.method == "POST":
        form = TermsForm(request.POST)
        if form.is_valid():
            try:
                terms = services.terms_publish(
                    campaign=campaign, user=request.user, body=form.cleaned_data["body"]
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                if current is not None and terms.pk == current.pk:
                    messages.info(
                        request,
                        _("Nothing changed; version %(v)s stays current.") % {"v": terms.version},
                    )
                else:
                    messages.success(
                        request,
                        _("Version %(v)s of the terms is published.") % {"v": terms.version},
                    )
                return redirect("terms_edit", slug=campaign.slug)
    history = [(terms, render_markdown(terms.body)) for terms in selectors.terms_history(campaign)]
    return render(
        request,
        "campaigns/terms.html",
        {
            "campaign": campaign,
            "form": form,
            "history": history,
        },
        status=400 if form.errors else 200,
    )


def _codes_csv_href(codes: list[str], *, kind: str, label: str, max_uses: int) -> str:
    """A data: link, so the download needs no stored copy of the codes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "kind", "label", "max_uses"])
    for code in codes:
        writer.writerow([code, kind, label, max_uses])
    return "data:text/csv;charset=utf-8," + quote(buffer.getvalue())


@login_required
def codes_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = CodesForm()
    codes: list[str] = []
    csv_href = ""
    if request.method == "POST":
        form = CodesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                codes = services.codes_generate(
                    campaign=campaign,
                    user=request.user,
                    kind=data["kind"],
                    count=data["count"],
                    max_uses=data["max_uses"],
                    label=data["label"],
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                csv_href = _codes_csv_href(
                    codes, kind=data["kind"], label=data["label"], max_uses=data["max_uses"]
                )
    response = render(
        request,
        "campaigns/codes.html",
        {
            "campaign": campaign,
            "form": form,
            "codes": codes,
            "codes_text": "\n".join(codes),
            "csv_href": csv_href,
            "csv_name": f"{campaign.slug}-codes.csv",
            "batches": selectors.code_batches(campaign),
        },
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@login_required
def campaign_audit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.VIEW_AUDIT)
    events = audit_for_campaign(campaign.id).select_related("content_type")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/audit.html", {"campaign": campaign, "page": page})


# Error pages --------------------------------------------------------------------------------


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A bad request may fail before the session and user exist: render without the request.
    return HttpResponse(loader.render_to_string("errors/400.html"), status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # The database may be what failed: no request context, no user, no session, no queries.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
