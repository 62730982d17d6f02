"""Reads for the campaign pages: the public list, a campaign's schedule, the studio overview."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models import Value as V

from crowdstudio.accounts.models import Organisation
from crowdstudio.accounts.permissions import Capability, has_capability, organisations_with
from crowdstudio.campaigns.models import (
    Campaign,
    CampaignStatus,
    CodeKind,
    EligibilityCode,
    Round,
    TermsVersion,
)
from crowdstudio.entries.models import EntryStatus, Rendition

#: The order campaigns appear in publicly: the ones taking entries first.
_STATUS_ORDER = Case(
    When(status=CampaignStatus.OPEN, then=V(0)),
    When(status=CampaignStatus.JUDGING, then=V(1)),
    When(status=CampaignStatus.CLOSED, then=V(2)),
    default=V(3),
    output_field=IntegerField(),
)


def current_round(rounds: list[Round], now: datetime) -> Round | None:
    """The round open now, else the next one to open, else the last one (rounds in order)."""
    for rnd in rounds:
        if rnd.opens_at <= now < rnd.closes_at:
            return rnd
    upcoming = [rnd for rnd in rounds if rnd.opens_at > now]
    if upcoming:
        return min(upcoming, key=lambda rnd: rnd.opens_at)
    return rounds[-1] if rounds else None


def _cover_subquery() -> Subquery:
    """The newest approved entry's first picture: a thumb, or a video's poster frame."""
    renditions = Rendition.objects.filter(
        asset__entry__campaign=OuterRef("pk"),
        asset__entry__status=EntryStatus.APPROVED,
        role__in=("thumb", "poster"),
    ).order_by("-asset__entry__moderated_at", "-asset__entry_id", "asset__position", "role")
    return Subquery(renditions.values("file")[:1])


@dataclass
class CampaignCard:
    campaign: Campaign
    round: Round | None
    cover_url: str = ""


def public_campaigns() -> QuerySet[Campaign]:
    """Every campaign the public may see, open ones first, each with its cover picture's file."""
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("rounds")
        .annotate(status_order=_STATUS_ORDER, cover_file=_cover_subquery())
        .order_by("status_order", "-created_at", "-id")
    )


def campaign_cards(campaigns: Iterable[Campaign], *, now: datetime) -> list[CampaignCard]:
    """What the list shows per campaign (from `public_campaigns`): current round and cover."""
    storage = Rendition._meta.get_field("file").storage  # type: ignore[attr-defined]
    cards = []
    for campaign in campaigns:
        rounds = sorted(campaign.rounds.all(), key=lambda rnd: rnd.number)
        cover = getattr(campaign, "cover_file", None)
        cards.append(
            CampaignCard(
                campaign=campaign,
                round=current_round(rounds, now),
                cover_url=storage.url(cover) if cover else "",
            )
        )
    return cards


def schedule(campaign: Campaign) -> list[Round]:
    """The campaign's rounds in order, each with its prizes by rank."""
    return list(campaign.rounds.order_by("number").prefetch_related("prizes"))


def terms_history(campaign: Campaign) -> QuerySet[TermsVersion]:
    return campaign.terms_versions.select_related("created_by").order_by("-version")


@dataclass
class CodeBatch:
    kind: str
    label: str
    codes: int
    uses: int
    capacity: int

    @property
    def kind_label(self) -> str:
        return str(dict(CodeKind.choices).get(self.kind, self.kind))


def code_batches(campaign: Campaign) -> list[CodeBatch]:
    """Generated codes summarised by kind and label; the codes themselves are never stored."""
    rows = (
        EligibilityCode.objects.filter(campaign=campaign)
        .values("kind", "label")
        .annotate(codes=Count("id"), uses=Sum("use_count"), capacity=Sum("max_uses"))
        .order_by("kind", "label")
    )
    return [
        CodeBatch(
            kind=row["kind"],
            label=row["label"],
            codes=row["codes"],
            uses=row["uses"] or 0,
            capacity=row["capacity"] or 0,
        )
        for row in rows
    ]


@dataclass
class StudioOrganisation:
    organisation: Organisation
    can_create: bool
    campaigns: list[Campaign] = field(default_factory=list)


def studio_overview(user: Any) -> list[StudioOrganisation]:
    """The organisations this person works for, with every campaign and its entries by status.

    Each campaign gets `entry_counts`: (status, label, number) for every entry status, in order.
    """
    org_ids = organisations_with(user, Capability.VIEW_BACKOFFICE)
    if not org_ids:
        return []
    counts = {
        f"n_{status}": Count("entries", filter=Q(entries__status=status))
        for status in EntryStatus.values
    }
    campaigns = (
        Campaign.objects.filter(organisation_id__in=org_ids)
        .annotate(n_total=Count("entries"), **counts)
        .order_by("-created_at", "-id")
    )
    overview = {
        org.id: StudioOrganisation(
            organisation=org,
            can_create=has_capability(user, org.id, Capability.EDIT_CAMPAIGN),
        )
        for org in Organisation.objects.filter(id__in=org_ids).order_by("name")
    }
    for campaign in campaigns:
        campaign.entry_counts = [  # type: ignore[attr-defined]
            (status, label, getattr(campaign, f"n_{status}"))
            for status, label in EntryStatus.choices
        ]
        overview[campaign.organisation_id].campaigns.append(campaign)
    return list(overview.values())
