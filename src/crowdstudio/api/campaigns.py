"""/api/campaigns: read the public calls, and run one's own organisation's campaigns."""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations at import
# time, and for handlers wrapped by @paginate it resolves them in ninja's module, not this one.

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from crowdstudio.accounts.access import get_organisation_for_user
from crowdstudio.accounts.permissions import Capability
from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import (
    CampaignFilters,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignSummaryOut,
    PrizeIn,
    PrizeOut,
    RoundIn,
    RoundOut,
    TermsIn,
    TermsOut,
    TransitionIn,
    responses,
)
from crowdstudio.campaigns import services
from crowdstudio.campaigns.access import campaigns_visible_to, get_campaign_for_user
from crowdstudio.campaigns.models import Campaign, Prize, Round, TermsVersion

router = Router(tags=["campaigns"])


def _detail(campaign: Campaign) -> Campaign:
    """The campaign reloaded with its rounds and prizes, for `CampaignOut`."""
    return (
        Campaign.objects.select_related("organisation")
        .prefetch_related(
            Prefetch(
                "rounds",
                queryset=Round.objects.order_by("number").prefetch_related(
                    Prefetch("prizes", queryset=Prize.objects.order_by("rank"))
                ),
            )
        )
        .get(pk=campaign.pk)
    )


@router.get(
    "", response=responses({200: list[CampaignSummaryOut]}), auth=PUBLIC, summary="List campaigns"
)
@paginate(BoundedPageNumberPagination, page_size=20)
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters]) -> QuerySet[Campaign]:
    """Public campaigns, and the drafts of organisations whose back office you can see."""
    campaigns = campaigns_visible_to(acting_user(request))
    if filters.status:
        campaigns = campaigns.filter(status=filters.status)
    if filters.kind:
        campaigns = campaigns.filter(kind=filters.kind)
    if filters.organisation:
        campaigns = campaigns.filter(organisation__slug=filters.organisation)
    return campaigns.order_by("-created_at", "-id")


@router.get(
    "/{slug}",
    response=responses({200: CampaignOut}),
    auth=PUBLIC,
    summary="A campaign with its rounds, prizes, terms and rules",
)
def campaign_detail(request: HttpRequest, slug: str) -> Campaign:
    return _detail(get_campaign_for_user(acting_user(request), slug))


@router.post("", response=responses({201: CampaignOut}), summary="Create a campaign (a draft)")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    user = acting_user(request)
    organisation = get_organisation_for_user(user, payload.organisation, Capability.EDIT_CAMPAIGN)
    fields = payload.model_dump(
        exclude={"organisation", "title", "kind", "slug"}, exclude_unset=True
    )
    campaign = services.campaign_create(
        organisation=organisation,
        user=user,
        title=payload.title,
        kind=payload.kind,
        slug=payload.slug,
        **fields,
    )
    return Status(201, _detail(campaign))


@router.patch(
    "/{slug}", response=responses({200: CampaignOut}), summary="Change some of a campaign's fields"
)
def campaign_update(request: HttpRequest, slug: str, payload: CampaignPatch) -> Campaign:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.EDIT_CAMPAIGN)
    campaign = services.campaign_update(campaign=campaign, user=user, **payload.changes())
    return _detail(campaign)


@router.post(
    "/{slug}/transition",
    response=responses({200: CampaignOut}),
    summary="Move a campaign along draft → open → judging → closed → archived",
)
def campaign_transition(request: HttpRequest, slug: str, payload: TransitionIn) -> Campaign:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.CHANGE_STATUS)
    campaign = services.campaign_transition(
        campaign=campaign, to_status=payload.to, user=user, reason=payload.reason
    )
    return _detail(campaign)


@router.post("/{slug}/rounds", response=responses({201: RoundOut}), summary="Add a round")
def round_create(request: HttpRequest, slug: str, payload: RoundIn) -> Status[Round]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.EDIT_CAMPAIGN)
    rnd = services.round_add(
        campaign=campaign,
        user=user,
        title=payload.title,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        advance_top_n=payload.advance_top_n,
    )
    return Status(201, rnd)


@router.post(
    "/{slug}/rounds/{number}/prizes",
    response=responses({201: PrizeOut}),
    summary="Add a prize to a round",
)
def prize_create(request: HttpRequest, slug: str, number: int, payload: PrizeIn) -> Status[Prize]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.EDIT_CAMPAIGN)
    rnd = campaign.rounds.filter(number=number).first()
    if rnd is None:
        raise Http404("No such round")
    prize = services.prize_add(
        round=rnd,
        user=user,
        rank=payload.rank,
        title=payload.title,
        kind=payload.kind,
        amount=payload.amount,
        currency=payload.currency,
        description=payload.description,
    )
    return Status(201, prize)


@router.post(
    "/{slug}/terms",
    response=responses({201: TermsOut}),
    summary="Publish a new version of the terms",
    description="Publishing the same text as the current version changes nothing and "
    "returns the current version.",
)
def terms_create(request: HttpRequest, slug: str, payload: TermsIn) -> Status[TermsVersion]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug, Capability.EDIT_CAMPAIGN)
    return Status(201, services.terms_publish(campaign=campaign, user=user, body=payload.body))
