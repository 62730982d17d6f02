"""Everything that changes campaigns: creation, schedule, terms, codes and the status machine."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crowdstudio.accounts.models import Organisation
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import (
    Campaign,
    CampaignStatus,
    CodeKind,
    CodeRedemption,
    EligibilityCode,
    MediaKind,
    Prize,
    Round,
    TermsVersion,
)
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.OPEN},
    CampaignStatus.OPEN: {CampaignStatus.JUDGING},
    CampaignStatus.JUDGING: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: {CampaignStatus.ARCHIVED},
    CampaignStatus.ARCHIVED: set(),
}

EDITABLE_FIELDS = (
    "title",
    "tagline",
    "brief",
    "rules",
    "kind",
    "hashtags",
    "accepted_kinds",
    "max_file_mb",
    "max_megapixels",
    "max_duration_seconds",
    "max_files_per_entry",
    "min_age",
    "countries",
    "requires_code",
)


def normalise_hashtags(raw: list[str] | str) -> list[str]:
    items = raw.replace(",", " ").split() if isinstance(raw, str) else raw
    tags: list[str] = []
    for item in items:
        tag = item.strip().lstrip("#")
        if not tag:
            continue
        if not all(ch.isalnum() or ch == "_" for ch in tag) or len(tag) > 100:
            raise ServiceError(
                "invalid_hashtag", _("“%(tag)s” is not a valid hashtag.") % {"tag": tag}
            )
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags


def _validate(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "hashtags" in cleaned:
        cleaned["hashtags"] = normalise_hashtags(cleaned["hashtags"])
    if "accepted_kinds" in cleaned:
        kinds = [k for k in cleaned["accepted_kinds"] if k]
        unknown = set(kinds) - set(MediaKind.values)
        if unknown:
            raise ServiceError(
                "invalid_media_kind", _("Unknown media type: %s") % ", ".join(sorted(unknown))
            )
        cleaned["accepted_kinds"] = [k for k in MediaKind.values if k in kinds]
    if "countries" in cleaned:
        countries = cleaned["countries"]
        if isinstance(countries, str):
            countries = countries.replace(",", " ").split()
        countries = sorted({c.strip().upper() for c in countries if c.strip()})
        if any(len(c) != 2 or not c.isalpha() for c in countries):
            raise ServiceError("invalid_country", _("Countries must be two-letter ISO codes."))
        cleaned["countries"] = countries
    for key in ("max_file_mb", "max_megapixels", "max_duration_seconds", "max_files_per_entry"):
        if key in cleaned and (cleaned[key] is None or int(cleaned[key]) < 1):
            raise ServiceError("invalid_limit", _("Limits must be positive numbers."))
    upper = {
        "max_megapixels": 1000,
        "max_duration_seconds": 6 * 3600,
        "max_files_per_entry": settings.CROWDSTUDIO_MAX_FILES_PER_ENTRY,
        "min_age": 120,
    }
    for key, highest in upper.items():
        if cleaned.get(key) is not None and int(cleaned[key]) > highest:
            raise ServiceError(
                "invalid_limit",
                _("%(field)s can be at most %(n)s.")
                % {
                    "field": getattr(Campaign._meta.get_field(key), "verbose_name", key),
                    "n": highest,
                },
            )
    if "max_file_mb" in cleaned:
        ceiling = settings.CROWDSTUDIO_MAX_UPLOAD_BYTES // (1024 * 1024)
        if int(cleaned["max_file_mb"]) > ceiling:
            raise ServiceError(
                "invalid_limit",
                _("This installation accepts files up to %(mb)s MB.") % {"mb": ceiling},
            )
    return cleaned


def _ensure_editable(campaign: Campaign) -> None:
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED):
        raise Conflict("campaign_closed", _("A closed campaign can no longer be changed."))


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def campaign_create(
    *, organisation: Organisation, user: Any, title: str, kind: str, slug: str = "", **fields: Any
) -> Campaign:
    cleaned = _validate({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    cleaned.setdefault("accepted_kinds", [MediaKind.IMAGE])
    if slug and Campaign.objects.filter(slug=slug).exists():
        raise Conflict("slug_taken", _("Another campaign already uses this address."))
    campaign = Campaign.objects.create(
        organisation=organisation,
        slug=slug or _unique_slug(title),
        title=title,
        kind=kind,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **cleaned,
    )
    log_action(
        campaign,
        "campaign.created",
        user=user,
        data={"title": title},
        organisation_id=organisation.id,
        campaign_id=campaign.id,
    )
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, user: Any, **fields: Any) -> Campaign:
    cleaned = _validate({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ARCHIVED):
        raise Conflict("campaign_closed", _("A closed campaign can no longer be changed."))
    changed = {k: v for k, v in cleaned.items() if getattr(campaign, k) != v}
    for key, value in changed.items():
        setattr(campaign, key, value)
    if changed:
        campaign.save()
        log_action(
            campaign,
            "campaign.updated",
            user=user,
            data={"fields": sorted(changed)},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
        )
    return campaign


def campaign_transition(
    *, campaign: Campaign, to_status: str, user: Any, reason: str = "", now: datetime | None = None
) -> Campaign:
    """Move a campaign along draft → open → judging → closed → archived, exactly once."""
    now = now or timezone.now()
    if to_status not in ALLOWED_TRANSITIONS.get(campaign.status, set()):
        raise Conflict(
            "invalid_transition",
            _("A campaign cannot go from %(old)s to %(new)s.")
            % {
                "old": CampaignStatus(campaign.status).label,
                "new": CampaignStatus(to_status).label
                if to_status in CampaignStatus.values
                else to_status,
            },
        )
    if to_status == CampaignStatus.OPEN:
        if not campaign.terms_versions.exists():
            raise ServiceError("no_terms", _("Publish the terms before opening the campaign."))
        if not campaign.rounds.exists():
            raise ServiceError(
                "no_rounds", _("Add at least one round before opening the campaign.")
            )
        if not campaign.accepted_kinds:
            raise ServiceError("no_media", _("Choose which media the campaign accepts."))
    with transaction.atomic():
        changed = Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(
            status=to_status, updated_at=now
        )
        if changed != 1:
            raise Conflict("stale_status", _("The campaign changed meanwhile; reload and retry."))
        log_action(
            campaign,
            f"campaign.{to_status}",
            user=user,
            data={"from": campaign.status, "to": to_status, "reason": reason},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
            now=now,
        )
    campaign.status = to_status
    return campaign


@transaction.atomic
def round_add(
    *,
    campaign: Campaign,
    user: Any,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    advance_top_n: int | None = None,
) -> Round:
    _ensure_editable(campaign)
    if closes_at <= opens_at:
        raise ServiceError("invalid_window", _("A round must close after it opens."))
    overlapping = campaign.rounds.filter(opens_at__lt=closes_at, closes_at__gt=opens_at)
    if overlapping.exists():
        raise ServiceError("overlapping_round", _("Rounds of one campaign may not overlap."))
    number = (campaign.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    rnd = Round.objects.create(
        campaign=campaign,
        number=number,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        advance_top_n=advance_top_n,
    )
    log_action(
        rnd,
        "round.created",
        user=user,
        data={"title": title, "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()},
        organisation_id=campaign.organisation_id,
        campaign_id=campaign.id,
    )
    return rnd


@transaction.atomic
def round_update(
    *,
    round: Round,
    user: Any,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    advance_top_n: int | None = None,
) -> Round:
    """Change a round's title, window or advancement (e.g. extend a deadline), audited."""
    _ensure_editable(round.campaign)
    if closes_at <= opens_at:
        raise ServiceError("invalid_window", _("A round must close after it opens."))
    overlapping = round.campaign.rounds.exclude(pk=round.pk).filter(
        opens_at__lt=closes_at, closes_at__gt=opens_at
    )
    if overlapping.exists():
        raise ServiceError("overlapping_round", _("Rounds of one campaign may not overlap."))
    new = {
        "title": title,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "advance_top_n": advance_top_n,
    }
    changed = {key: value for key, value in new.items() if getattr(round, key) != value}
    if not changed:
        return round
    Round.objects.filter(pk=round.pk).update(**changed)
    log_action(
        round,
        "round.updated",
        user=user,
        data={
            key: {"from": _plain(getattr(round, key)), "to": _plain(value)}
            for key, value in changed.items()
        },
        organisation_id=round.campaign.organisation_id,
        campaign_id=round.campaign_id,
    )
    for key, value in changed.items():
        setattr(round, key, value)
    return round


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@transaction.atomic
def prize_add(
    *,
    round: Round,
    user: Any,
    rank: int,
    title: str,
    kind: str,
    amount: Decimal,
    currency: str,
    description: str = "",
) -> Prize:
    _ensure_editable(round.campaign)
    currency = currency.upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ServiceError("invalid_currency", _("Currency must be a three-letter ISO code."))
    if amount < 0:
        raise ServiceError("invalid_amount", _("A prize amount cannot be negative."))
    if round.prizes.filter(rank=rank).exists():
        raise ServiceError("duplicate_rank", _("This round already has a prize for that rank."))
    prize = Prize.objects.create(
        round=round,
        rank=rank,
        title=title,
        kind=kind,
        amount=amount,
        currency=currency,
        description=description,
    )
    log_action(
        prize,
        "prize.created",
        user=user,
        data={"rank": rank, "amount": str(amount), "currency": currency},
        organisation_id=round.campaign.organisation_id,
        campaign_id=round.campaign_id,
    )
    return prize


@transaction.atomic
def prize_remove(*, prize: Prize, user: Any) -> None:
    """Take a prize off a round that is still being set up; the audit log keeps what it was."""
    _ensure_editable(prize.round.campaign)
    campaign = prize.round.campaign
    log_action(
        prize,
        "prize.removed",
        user=user,
        data={
            "round": prize.round.number,
            "rank": prize.rank,
            "title": prize.title,
            "amount": str(prize.amount),
            "currency": prize.currency,
        },
        organisation_id=campaign.organisation_id,
        campaign_id=campaign.id,
    )
    prize.delete()


def terms_publish(*, campaign: Campaign, user: Any, body: str) -> TermsVersion:
    _ensure_editable(campaign)
    if not body.strip():
        raise ServiceError("empty_terms", _("The terms cannot be empty."))
    for _attempt in range(3):
        latest = campaign.terms_versions.order_by("-version").first()
        if latest and latest.body == body:
            return latest
        try:
            with transaction.atomic():
                terms = TermsVersion.objects.create(
                    campaign=campaign,
                    version=(latest.version + 1 if latest else 1),
                    body=body,
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                )
                log_action(
                    terms,
                    "terms.published",
                    user=user,
                    data={"version": terms.version},
                    organisation_id=campaign.organisation_id,
                    campaign_id=campaign.id,
                )
                return terms
        except IntegrityError:
            continue  # someone published at the same moment: read the new latest and retry
    raise Conflict("terms_race", _("The terms changed meanwhile; reload and retry."))


def current_terms(campaign: Campaign) -> TermsVersion | None:
    return campaign.terms_versions.order_by("-version").first()


def accepted_terms(
    campaign: Campaign, *, accept: bool, terms_version_id: int | None
) -> TermsVersion:
    """The campaign's current terms, accepted as the person read them: refused when they did
    not accept, or when the terms changed since they opened the form (they must read again)."""
    if not accept:
        raise ServiceError("terms_not_accepted", _("Please accept the campaign terms."))
    terms = current_terms(campaign)
    if terms is None or terms.id != terms_version_id:
        raise _terms_changed()
    return terms


def require_terms_unchanged(campaign: Campaign, terms: TermsVersion) -> None:
    """Inside the transaction that records the acceptance: the terms accepted are still the
    current ones (a new version may have been published since `accepted_terms`)."""
    if current_terms(campaign) != terms:
        raise _terms_changed()


def _terms_changed() -> Conflict:
    return Conflict(
        "terms_changed",
        _("The terms have changed since you opened the form; please read them again."),
    )


def hash_code(campaign: Campaign, code: str) -> str:
    """Keyed hash: codes are short, so a plain hash could be brute-forced from a database dump."""
    normalised = "".join(code.split()).upper()
    key = f"{settings.SECRET_KEY}:eligibility:{campaign.pk}".encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@transaction.atomic
def codes_generate(
    *, campaign: Campaign, user: Any, kind: str, count: int, max_uses: int = 1, label: str = ""
) -> list[str]:
    _ensure_editable(campaign)
    """Create `count` codes and return them in clear text; this is the only time they exist."""
    if not 1 <= count <= 10_000:
        raise ServiceError("invalid_count", _("Generate between 1 and 10,000 codes at a time."))
    if kind not in CodeKind.values:
        raise ServiceError("invalid_kind", _("Unknown code kind."))
    codes = [
        "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(count)
    ]
    EligibilityCode.objects.bulk_create(
        [
            EligibilityCode(
                campaign=campaign,
                kind=kind,
                code_hash=hash_code(campaign, c),
                max_uses=max_uses,
                label=label,
            )
            for c in codes
        ]
    )
    log_action(
        campaign,
        "campaign.codes_generated",
        user=user,
        data={"kind": kind, "count": count, "max_uses": max_uses, "label": label},
        organisation_id=campaign.organisation_id,
        campaign_id=campaign.id,
    )
    return codes


@dataclass(frozen=True)
class Applicant:
    """What an entrant tells us about themselves when the campaign has eligibility rules."""

    date_of_birth: date | None = None
    country: str = ""
    code: str = ""


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def eligibility_check(
    *, campaign: Campaign, user: Any, applicant: Applicant, now: datetime
) -> None:
    """Raise NotAllowed with the reason if this person may not enter right now."""
    if campaign.status != CampaignStatus.OPEN:
        raise NotAllowed("campaign_not_open", _("This campaign is not accepting entries."))
    if campaign.round_open_at(now) is None:
        raise NotAllowed("no_open_round", _("No round is open for entries right now."))
    if campaign.organisation.memberships.filter(user=user).exists():
        raise NotAllowed("organiser", _("Members of the organising team cannot enter."))
    if campaign.min_age:
        if applicant.date_of_birth is None:
            raise NotAllowed("age_required", _("Please give your date of birth."))
        if age_on(applicant.date_of_birth, now.date()) < campaign.min_age:
            raise NotAllowed(
                "too_young",
                _("You must be at least %(age)s years old to enter.") % {"age": campaign.min_age},
            )
    if campaign.countries:
        if not applicant.country:
            raise NotAllowed("country_required", _("Please give your country of residence."))
        if applicant.country.upper() not in campaign.countries:
            raise NotAllowed(
                "country_not_eligible",
                _("Entries from your country are not accepted in this campaign."),
            )


def code_check(*, campaign: Campaign, user: Any, code: str) -> None:
    """Refuse early (before any upload is stored) when the code cannot be redeemed.

    Read-only; `code_redeem` inside the entry's transaction stays the authority.
    """
    if not campaign.requires_code:
        return
    if CodeRedemption.objects.filter(code__campaign=campaign, user=user).exists():
        return
    if not code.strip():
        raise NotAllowed(
            "code_required", _("This campaign needs an invite or proof-of-purchase code.")
        )
    found = EligibilityCode.objects.filter(
        campaign=campaign, code_hash=hash_code(campaign, code)
    ).first()
    if found is None:
        raise NotAllowed("code_invalid", _("That code is not valid for this campaign."))
    if found.use_count >= found.max_uses:
        raise NotAllowed("code_used", _("That code has already been used."))


def code_redeem(
    *, campaign: Campaign, user: Any, code: str, now: datetime
) -> EligibilityCode | None:
    """Use up one redemption of a code, once per person; call inside the entry's transaction.

    The code row is locked first, so two submissions by one person at the same moment cannot
    both pass the "already redeemed" check.
    """
    if not campaign.requires_code:
        return None
    found = None
    if code.strip():
        found = (
            EligibilityCode.objects.select_for_update()
            .filter(campaign=campaign, code_hash=hash_code(campaign, code))
            .first()
        )
    previous = (
        CodeRedemption.objects.filter(code__campaign=campaign, user=user)
        .select_related("code")
        .first()
    )
    if previous is not None:
        return previous.code
    if not code.strip():
        raise NotAllowed(
            "code_required", _("This campaign needs an invite or proof-of-purchase code.")
        )
    if found is None:
        raise NotAllowed("code_invalid", _("That code is not valid for this campaign."))
    used = EligibilityCode.objects.filter(pk=found.pk, use_count__lt=F("max_uses")).update(
        use_count=F("use_count") + 1
    )
    if used != 1:
        raise NotAllowed("code_used", _("That code has already been used."))
    CodeRedemption.objects.create(code=found, user=user, redeemed_at=now)
    return found
