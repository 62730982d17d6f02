"""Voting pages: the vote panel's form, leaderboards, the vote-integrity page, how ranking works.

Thin: parse, call one service, render. The vote form works with and without JavaScript: htmx
swaps the panel in place, a plain POST redirects back to the entry with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.models import Campaign, Round, VotingScheme
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.lib.errors import NotAllowed, ServiceError
from crowdstudio.voting import selectors, services
from crowdstudio.voting.forms import DiscountForm, VoteForm
from crowdstudio.voting.models import Ballot, FlagKind
from crowdstudio.voting.origin import origin_from_request
from crowdstudio.voting.tasks import scan_round_votes
from crowdstudio.voting.templatetags.voting_tags import panel_context

LEADERBOARD_PAGE = 50
FLAGGED_PAGE = 50


@login_required
@require_POST
def vote_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Cast, change or withdraw the signed-in person's vote for an entry."""
    entry = get_entry_for_user(request.user, pk)
    form = VoteForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    if not form.is_valid():
        raise Http404("No such round")
    rnd = (
        Round.objects.select_related("campaign")
        .filter(pk=form.cleaned_data["round"], campaign_id=entry.campaign_id)
        .first()
    )
    if rnd is None:
        raise Http404("No such round")
    error = ""
    done = ""
    try:
        if form.cleaned_data["action"] == "withdraw":
            services.vote_withdraw(
                round=rnd, entry=entry, user=request.user, origin=origin_from_request(request)
            )
            done = _("Your vote was taken back.")
        else:
            services.vote_cast(
                round=rnd,
                entry=entry,
                user=request.user,
                value=form.cleaned_data["value"],
                origin=origin_from_request(request),
            )
            done = _("Thank you, your vote is in.")
    except NotAllowed as refused:
        if not htmx:
            raise PermissionDenied(refused.message) from refused
        error = refused.message
    except ServiceError as refused:
        error = refused.message
    if htmx:
        context = panel_context(request, entry, rnd)
        context.update({"error": error, "done": done})
        return render(request, "voting/_vote_panel.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(reverse("entry", kwargs={"pk": entry.pk}) + "#vote")


def _round(
    slug: str, number: int, request: HttpRequest, capability: Capability | None = None
) -> tuple[Campaign, Round]:
    campaign = get_campaign_for_user(request.user, slug, capability)
    rnd = get_object_or_404(
        Round.objects.select_related("campaign"), campaign=campaign, number=number
    )
    return campaign, rnd


@require_GET
def round_leaderboard(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The audience ranking of a round, from counted votes; staff also see raw figures."""
    campaign, rnd = _round(slug, number, request)
    is_staff = has_capability(request.user, campaign.organisation_id, Capability.VIEW_BACKOFFICE)
    page = Paginator(selectors.leaderboard(rnd), LEADERBOARD_PAGE).get_page(request.GET.get("page"))
    rows = selectors.leaderboard_rows(
        rnd,
        list(page.object_list),
        first_place=page.start_index() or 1,
        with_flags=is_staff,
    )
    return render(
        request,
        "voting/leaderboard.html",
        {
            "campaign": campaign,
            "rnd": rnd,
            "page": page,
            "rows": rows,
            "is_staff": is_staff,
            "can_moderate": has_capability(
                request.user, campaign.organisation_id, Capability.MODERATE
            ),
            "has_vote": rnd.voting_scheme != VotingScheme.NONE,
            "stats": selectors.round_stats(rnd),
        },
    )


@login_required
@require_GET
def vote_integrity(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Flags by kind, the votes behind them, and discounting (Capability.MODERATE)."""
    campaign, rnd = _round(slug, number, request, Capability.MODERATE)
    kind = request.GET.get("kind", "")
    if kind not in FlagKind.values:
        kind = ""
    page = Paginator(selectors.flagged_votes(rnd, kind), FLAGGED_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "voting/integrity.html",
        {
            "campaign": campaign,
            "rnd": rnd,
            "kind": kind,
            "summary": selectors.flag_summary(rnd),
            "page": page,
            "query_string": urlencode({"kind": kind}) if kind else "",
            "discounted": selectors.discounted_ballots(rnd)[:100],
            "stats": selectors.round_stats(rnd),
            "form": DiscountForm(),
        },
    )


@login_required
@require_POST
def vote_discount(request: HttpRequest, slug: str, number: int, ballot_id: int) -> HttpResponse:
    """Discount or restore one person's vote for an entry, with a reason (audited)."""
    _campaign, rnd = _round(slug, number, request, Capability.MODERATE)
    ballot = get_object_or_404(Ballot, pk=ballot_id, round=rnd)
    form = DiscountForm(request.POST)
    target = reverse("vote_integrity", kwargs={"slug": slug, "number": number})
    if not form.is_valid():
        messages.error(request, _("Give a reason; it is kept in the audit log."))
        return redirect(target)
    try:
        if form.cleaned_data["action"] == "restore":
            services.ballot_restore(
                ballot=ballot, user=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The vote counts again."))
        else:
            services.ballot_discount(
                ballot=ballot, user=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The vote no longer counts. It stays in the raw figures."))
    except ServiceError as refused:
        messages.error(request, refused.message)
    return redirect(target)


@login_required
@require_POST
def vote_scan(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Queue a fraud scan of the round now instead of waiting for the periodic one."""
    campaign, rnd = _round(slug, number, request, Capability.MODERATE)
    with transaction.atomic():
        log_action(
            rnd,
            "vote.scan_requested",
            user=request.user,
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.pk,
        )
        transaction.on_commit(lambda: scan_round_votes.enqueue(round_id=rnd.pk))
    messages.success(request, _("A scan was queued; new flags appear here in a moment."))
    return redirect("vote_integrity", slug=slug, number=number)


@require_GET
def how_ranking_works(request: HttpRequest) -> HttpResponse:
    return render(request, "voting/how_ranking_works.html")
