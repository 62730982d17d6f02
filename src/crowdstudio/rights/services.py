"""Rights to use entries: every write of the rights app.

A record's status changes only through `_transition` (a conditional update along the edges of
models.TRANSITIONS, audited as "rights.<status>"). See docs/rights.md for what proves what.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.accounts.models import Role
from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign
from crowdstudio.campaigns.services import (
    Applicant,
    accepted_terms,
    age_on,
    code_check,
    code_redeem,
    current_terms,
    require_terms_unchanged,
)
from crowdstudio.entries.models import Entry, EntrySource, OriginalFile
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.lib.storage import store_original
from crowdstudio.rights import selectors, social_bridge
from crowdstudio.rights.models import (
    TRANSITIONS,
    CampaignRightsPolicy,
    ConsentEvidence,
    Eligibility,
    EvidenceKind,
    GrantedHow,
    Release,
    ReleaseKind,
    RequestChannel,
    RequestOutcome,
    RightsRecord,
    RightsRequest,
    RightsStatus,
)
from crowdstudio.social.connectors.base import ConnectorError, Post

logger = logging.getLogger(__name__)

#: Networks whose posts carry no author id through the API: a reply there can never prove who
#: wrote it, so consent by reply is never accepted (rights go by link).
NO_AUTHOR_NETWORKS = frozenset({"instagram"})
PROOF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PROOF_RE = re.compile(r"\bCS-([A-Z2-9]{8})\b", re.IGNORECASE)


def _audit(record: RightsRecord, action: str, *, user: Any, now: datetime, **data: Any) -> None:
    campaign = record.entry.campaign
    log_action(
        record.entry,
        action,
        user=user,
        now=now,
        data=data,
        organisation_id=campaign.organisation_id,
        campaign_id=campaign.id,
    )


def _transition(
    record: RightsRecord,
    to: str,
    *,
    user: Any,
    now: datetime,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> RightsRecord:
    """Move the record to `to` if the edge is allowed and nobody moved it first; audited."""
    allowed_from = [status for status, targets in TRANSITIONS.items() if to in targets]
    changed = RightsRecord.objects.filter(
        pk=record.pk, status=record.status, status__in=allowed_from
    ).update(status=to, updated_at=now, **fields)
    if changed != 1:
        current = RightsRecord.objects.filter(pk=record.pk).values_list("status", flat=True)
        raise Conflict(
            "invalid_transition",
            _("The rights of this entry are “%(status)s”; that cannot change to “%(to)s”.")
            % {
                "status": RightsStatus(current.first() or record.status).label,
                "to": RightsStatus(to).label,
            },
        )
    before = record.status
    record.refresh_from_db()
    _audit(record, f"rights.{to}", user=user, now=now, **{"from": before, **(data or {})})
    return record


def _record_for(entry: Entry, *, now: datetime) -> RightsRecord:
    """The entry's record, created on first need: an upload's as granted by its accepted terms."""
    record = RightsRecord.objects.filter(entry=entry).first()
    if record is not None:
        return record
    if entry.source == EntrySource.UPLOAD and entry.terms_version_id is not None:
        defaults = {
            "status": RightsStatus.GRANTED,
            "how": GrantedHow.UPLOAD,
            "terms_version_id": entry.terms_version_id,
            "granted_at": entry.terms_accepted_at or entry.created_at,
            "created_at": now,
        }
    else:
        defaults = {"status": RightsStatus.AWAITING, "network": entry.source, "created_at": now}
    record, _created = RightsRecord.objects.get_or_create(entry=entry, defaults=defaults)
    return record


def _locked(record: RightsRecord) -> RightsRecord:
    return (
        RightsRecord.objects.select_for_update().select_related("entry__campaign").get(pk=record.pk)
    )


# --- imports --------------------------------------------------------------------------------------


def rights_open_import(*, entry: Entry, post: Post) -> RightsRecord:
    """An imported entry starts as "awaiting rights", remembering the post it came from.

    Idempotent: importing the same entry again returns its record unchanged.
    """
    now = timezone.now()
    record, created = RightsRecord.objects.get_or_create(
        entry=entry,
        defaults={
            "status": RightsStatus.AWAITING,
            "network": post.network,
            "post_id": post.id,
            "post_author_id": post.author_id or "",
            "post_author_handle": post.author_handle or "",
            "created_at": now,
        },
    )
    if created:
        _audit(
            record,
            f"rights.{RightsStatus.AWAITING}",
            user=None,
            now=now,
            network=post.network,
            post=post.url,
        )
    return record


# --- requests -------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: list[RightsRequest] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (entry id, reason code)


def request_link(rights_request: RightsRequest) -> str:
    path = reverse("rights_link", kwargs={"token": rights_request.token})
    return settings.SITE_URL.rstrip("/") + path


def reply_text(policy: CampaignRightsPolicy, *, campaign: Campaign, link: str, turn: int) -> str:
    """One of the campaign's reply templates, in rotation, with the hashtag and the link filled
    in (and added when a template forgot them): networks block identical repeated replies."""
    templates = policy.templates()
    text = templates[turn % len(templates)]
    hashtag = "#" + policy.consent_hashtag.lstrip("#").strip()
    # Plain replacement, not str.format: templates are organiser input.
    text = text.replace("{hashtag}", hashtag).replace("{campaign}", campaign.title)
    text = text.replace("{link}", link)
    if hashtag.lower() not in text.lower():
        text += " " + hashtag
    if link not in text:
        text += " " + link
    return text


def rights_request_send(
    *, entries: Iterable[Entry], user: Any, now: datetime | None = None
) -> SendResult:
    """Ask each entry's author for the rights: a unique link per entry and, where the network
    allows it, a public reply carrying the consent hashtag and the link.

    Idempotent: an entry with an open request, or whose rights are settled, is skipped.
    """
    now = now or timezone.now()
    result = SendResult()
    for entry in entries:
        status = selectors.rights_status(entry)
        if status not in selectors.REQUESTABLE:
            result.skipped.append((entry.pk, f"rights_{status}"))
            continue
        policy = selectors.policy_for(entry.campaign)
        try:
            with transaction.atomic():
                record = _locked(_record_for(entry, now=now))
                if RightsRequest.objects.filter(entry=entry, closed_at__isnull=True).exists():
                    result.skipped.append((entry.pk, "already_requested"))
                    continue
                rights_request = RightsRequest.objects.create(
                    entry=entry,
                    created_at=now,
                    created_by=user,
                    terms_version=current_terms(entry.campaign),
                    expires_at=now + timedelta(days=policy.request_expiry_days or 30),
                )
                if record.status != RightsStatus.REQUESTED:
                    _transition(
                        record,
                        RightsStatus.REQUESTED,
                        user=user,
                        now=now,
                        data={"request": rights_request.pk},
                    )
        except IntegrityError:  # a concurrent send created the open request first
            result.skipped.append((entry.pk, "already_requested"))
            continue
        _send_reply(rights_request, policy=policy, user=user, now=now)
        result.sent.append(rights_request)
    return result


def _send_reply(
    rights_request: RightsRequest, *, policy: CampaignRightsPolicy, user: Any, now: datetime
) -> None:
    """Post the public reply (network I/O, outside any transaction); without one the request
    stays a link for the organiser to deliver."""
    entry = rights_request.entry
    if entry.source == EntrySource.UPLOAD or entry.source in NO_AUTHOR_NETWORKS:
        return
    text = reply_text(
        policy, campaign=entry.campaign, link=request_link(rights_request), turn=rights_request.pk
    )
    try:
        posted = social_bridge.reply(entry=entry, text=text)
    except (ConnectorError, ServiceError) as error:
        # The request stays a link for the organiser to deliver; the page shows why.
        RightsRequest.objects.filter(pk=rights_request.pk).update(send_error=error.message[:300])
        rights_request.send_error = error.message[:300]
        return
    if posted is None:
        return
    fields = {
        "channel": RequestChannel.REPLY,
        "sent_at": now,
        "reply_text": text,
        "reply_post_id": posted.id,
        "reply_post_url": posted.url[:500],
    }
    RightsRequest.objects.filter(pk=rights_request.pk).update(**fields)
    for name, value in fields.items():
        setattr(rights_request, name, value)
    log_action(
        entry,
        "rights.request_replied",
        user=user,
        now=now,
        data={"request": rights_request.pk, "reply": posted.url},
        organisation_id=entry.campaign.organisation_id,
        campaign_id=entry.campaign_id,
    )


def rights_request_mark_sent(
    *, rights_request: RightsRequest, user: Any, now: datetime | None = None
) -> RightsRequest:
    """The organiser delivered the link privately (e.g. an Instagram direct message)."""
    now = now or timezone.now()
    if rights_request.channel != RequestChannel.LINK:
        raise Conflict("not_a_link", _("This request was sent as a public reply."))
    changed = RightsRequest.objects.filter(
        pk=rights_request.pk, closed_at__isnull=True, sent_at__isnull=True
    ).update(sent_at=now)
    if changed != 1:
        raise Conflict("already_sent", _("This request is closed or already marked as sent."))
    rights_request.refresh_from_db()
    entry = rights_request.entry
    log_action(
        entry,
        "rights.request_delivered",
        user=user,
        now=now,
        data={"request": rights_request.pk},
        organisation_id=entry.campaign.organisation_id,
        campaign_id=entry.campaign_id,
    )
    return rights_request


def _close_request(rights_request: RightsRequest, outcome: str, *, now: datetime) -> bool:
    return (
        RightsRequest.objects.filter(pk=rights_request.pk, closed_at__isnull=True).update(
            closed_at=now, outcome=outcome
        )
        == 1
    )


def requests_expire_due(*, now: datetime | None = None) -> int:
    """Move rights requests whose deadline passed to "expired"; returns how many."""
    now = now or timezone.now()
    expired = 0
    due = RightsRequest.objects.filter(closed_at__isnull=True, expires_at__lte=now).select_related(
        "entry__campaign"
    )
    for rights_request in due:
        with transaction.atomic():
            if not _close_request(rights_request, RequestOutcome.EXPIRED, now=now):
                continue  # another worker got there first
            record = RightsRecord.objects.filter(entry=rights_request.entry).first()
            if record is not None and record.status == RightsStatus.REQUESTED:
                try:
                    _transition(
                        _locked(record),
                        RightsStatus.EXPIRED,
                        user=None,
                        now=now,
                        data={"request": rights_request.pk},
                    )
                except Conflict:
                    pass  # granted or declined in the meantime: the request just closes
            expired += 1
    return expired


# --- consent by reply -----------------------------------------------------------------------------


def _snapshot(post: Post) -> dict[str, Any]:
    return {
        "network": post.network,
        "id": post.id,
        "url": post.url,
        "author_id": post.author_id,
        "author_handle": post.author_handle,
        "text": post.text,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "in_reply_to_id": post.in_reply_to_id,
        "hashtags": list(post.hashtags),
        "raw": post.raw,
    }


def _carries(post: Post, hashtag: str) -> bool:
    if not hashtag:
        return False
    if hashtag in {tag.lower().lstrip("#") for tag in post.hashtags}:
        return True
    return (
        re.search(r"(?<!\w)#" + re.escape(hashtag) + r"(?!\w)", post.text, re.IGNORECASE)
        is not None
    )


def consent_replies_seen(*, campaign: Campaign, network: str, posts: Sequence[Post]) -> int:
    """Check polled posts for consent replies and handle proofs; returns how many entries were
    granted.

    A post grants an entry's rights only when all of these hold (docs/rights.md says why):
    it carries the campaign's consent hashtag; it replies to the very post the entry was imported
    from; its author is that post's author (never on networks without author ids: Instagram);
    it was not edited; and it still exists when fetched again (where a connector can be asked).
    """
    now = timezone.now()
    hashtag = selectors.policy_for(campaign).hashtag
    granted = 0
    for post in posts:
        if _proof_seen(campaign=campaign, network=network, post=post, now=now):
            continue
        if network in NO_AUTHOR_NETWORKS or post.network != network:
            continue
        if not post.author_id or not post.in_reply_to_id:
            continue
        if not _carries(post, hashtag) or post.edited_at is not None:
            continue
        record = (
            RightsRecord.objects.select_related("entry__campaign")
            .filter(entry__campaign=campaign, network=network, post_id=post.in_reply_to_id)
            .first()
        )
        if record is None or record.status not in selectors.REQUESTABLE:
            continue
        if not record.post_author_id or record.post_author_id != post.author_id:
            continue  # the hashtag from someone else
        current = social_bridge.refetch(campaign=campaign, network=network, post_id=post.id)
        if current is None:
            continue  # deleted since the poll saw it
        if current is not social_bridge.UNAVAILABLE:
            if current.edited_at is not None or current.text != post.text:
                continue
        if _grant_by_reply(record, post, now=now):
            granted += 1
    return granted


def _grant_by_reply(record: RightsRecord, post: Post, *, now: datetime) -> bool:
    with transaction.atomic():
        record = _locked(record)
        if record.status not in selectors.REQUESTABLE:
            return False
        entry = record.entry
        rights_request = (
            RightsRequest.objects.filter(entry=entry).order_by("-created_at", "-id").first()
        )
        terms = (
            rights_request.terms_version
            if rights_request and rights_request.terms_version
            else current_terms(entry.campaign)
        )
        try:
            with transaction.atomic():
                ConsentEvidence.objects.create(
                    entry=entry,
                    kind=EvidenceKind.REPLY,
                    text=post.text,
                    link=post.url[:500],
                    post_id=post.id,
                    at=post.created_at,
                    terms_version=terms,
                    snapshot=_snapshot(post),
                    request=rights_request,
                    recorded_at=now,
                )
        except IntegrityError:
            return False
        _transition(
            record,
            RightsStatus.GRANTED,
            user=None,
            now=now,
            data={"how": GrantedHow.REPLY, "reply": post.url},
            how=GrantedHow.REPLY,
            granted_at=post.created_at,
            terms_version=terms,
        )
        if rights_request is not None:
            _close_request(rights_request, RequestOutcome.GRANTED, now=now)
    return True


# --- proof of the handle --------------------------------------------------------------------------


def rights_proof_start(
    *, rights_request: RightsRequest, user: Any, now: datetime | None = None
) -> RightsRequest:
    """Give the signed-in visitor a one-time code to post from the account (see docs)."""
    now = now or timezone.now()
    _require_open(rights_request, now=now)
    if rights_request.entry.source in NO_AUTHOR_NETWORKS:
        raise Conflict(
            "proof_by_link_only",
            _("This network does not tell us who posted; the link sent to you is the proof."),
        )
    if rights_request.proof_user_id == user.pk and rights_request.proof_code:
        return rights_request
    code = "".join(secrets.choice(PROOF_ALPHABET) for _i in range(8))
    RightsRequest.objects.filter(pk=rights_request.pk, closed_at__isnull=True).update(
        proof_code=code, proof_user=user, proved_at=None
    )
    rights_request.refresh_from_db()
    log_action(
        rights_request.entry,
        "rights.proof_started",
        user=user,
        now=now,
        data={"request": rights_request.pk},
        organisation_id=rights_request.entry.campaign.organisation_id,
        campaign_id=rights_request.entry.campaign_id,
    )
    return rights_request


def _proof_seen(*, campaign: Campaign, network: str, post: Post, now: datetime) -> bool:
    """A polled post carrying a pending proof code, posted by the entry's author, proves the
    handle for the visitor who asked for that code. True when the post was a proof post."""
    codes = {match.upper() for match in PROOF_RE.findall(post.text or "")}
    if not codes:
        return False
    pending = RightsRequest.objects.filter(
        entry__campaign=campaign,
        closed_at__isnull=True,
        proof_code__in=codes,
        proved_at__isnull=True,
    ).select_related("entry__campaign", "entry__rights_record")
    for rights_request in pending:
        record = getattr(rights_request.entry, "rights_record", None)
        if record is None or record.network != network or network in NO_AUTHOR_NETWORKS:
            continue
        if not record.post_author_id or record.post_author_id != post.author_id:
            continue
        changed = RightsRequest.objects.filter(
            pk=rights_request.pk, proved_at__isnull=True, proof_code=rights_request.proof_code
        ).update(proved_at=now, proof_post_url=post.url[:500])
        if changed:
            log_action(
                rights_request.entry,
                "rights.handle_proved",
                user=None,
                now=now,
                data={"request": rights_request.pk, "post": post.url},
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
    return True


def handle_proven(rights_request: RightsRequest, user: Any) -> bool:
    """Whether this signed-in visitor has shown they hold the entry's account (docs/rights.md)."""
    if rights_request.proved_at and rights_request.proof_user_id == getattr(user, "pk", None):
        return True
    # A link the organiser delivered privately (e.g. an Instagram direct message): holding it is
    # the proof, as strong as that account's inbox.
    return rights_request.channel == RequestChannel.LINK and rights_request.sent_at is not None


def _require_open(rights_request: RightsRequest, *, now: datetime) -> None:
    if rights_request.closed_at is not None:
        raise Conflict("request_closed", _("This rights request has already been answered."))
    if rights_request.expires_at <= now:
        raise Conflict("request_expired", _("This rights request has expired."))


# --- accepting or declining on the site -----------------------------------------------------------


@dataclass(frozen=True)
class Guardian:
    name: str = ""
    confirmed: bool = False


def claim_eligibility_check(
    *, campaign: Campaign, user: Any, applicant: Applicant, guardian: Guardian, now: datetime
) -> bool:
    """The campaign's rules at claim time; True when a guardian's consent is needed (and given).

    Unlike an upload, the campaign need not be open: the post was made while it was.
    """
    if campaign.organisation.memberships.filter(user=user).exists():
        raise NotAllowed("organiser", _("Members of the organising team cannot enter."))
    minor = False
    if campaign.min_age:
        if applicant.date_of_birth is None:
            raise NotAllowed("age_required", _("Please give your date of birth."))
        if age_on(applicant.date_of_birth, now.date()) < campaign.min_age:
            minor = True
            if not guardian.name.strip() or not guardian.confirmed:
                raise NotAllowed(
                    "guardian_required",
                    _(
                        "You are under %(age)s: a parent or guardian must give their name and "
                        "confirm their consent."
                    )
                    % {"age": campaign.min_age},
                )
    if campaign.countries:
        if not applicant.country:
            raise NotAllowed("country_required", _("Please give your country of residence."))
        if applicant.country.upper() not in campaign.countries:
            raise NotAllowed(
                "country_not_eligible",
                _("Entries from your country are not accepted in this campaign."),
            )
    code_check(campaign=campaign, user=user, code=applicant.code)
    return minor


def rights_accept(
    *,
    rights_request: RightsRequest,
    user: Any,
    terms_version_id: int | None,
    accept: bool,
    applicant: Applicant,
    guardian: Guardian | None = None,
    now: datetime | None = None,
) -> RightsRecord:
    """The creator accepts the terms on our site: evidence kind "site", the rights are granted and
    the entry moves to the creator's account."""
    now = now or timezone.now()
    guardian = guardian or Guardian()
    entry = rights_request.entry
    campaign = entry.campaign
    _require_open(rights_request, now=now)
    if not handle_proven(rights_request, user):
        raise NotAllowed("handle_not_proven", _("First show that the post is yours."))
    terms = accepted_terms(campaign, accept=accept, terms_version_id=terms_version_id)
    minor = claim_eligibility_check(
        campaign=campaign, user=user, applicant=applicant, guardian=guardian, now=now
    )
    with transaction.atomic():
        locked = RightsRequest.objects.select_for_update().get(pk=rights_request.pk)
        _require_open(locked, now=now)
        require_terms_unchanged(campaign, terms)
        record = _locked(_record_for(entry, now=now))
        if record.status not in selectors.REQUESTABLE:
            raise Conflict("invalid_transition", _("The rights of this entry are already settled."))
        redeemed = code_redeem(campaign=campaign, user=user, code=applicant.code, now=now)
        Eligibility.objects.create(
            request=locked,
            user=user,
            date_of_birth=applicant.date_of_birth,
            country=applicant.country.upper(),
            guardian_name=guardian.name.strip() if minor else "",
            guardian_confirmed=guardian.confirmed if minor else False,
            code_used=redeemed is not None,
            recorded_at=now,
        )
        ConsentEvidence.objects.create(
            entry=entry,
            kind=EvidenceKind.SITE,
            link=request_link(locked),
            at=now,
            terms_version=terms,
            snapshot={
                "user": user.pk,
                "terms_version": terms.version,
                "proof": locked.proof_post_url or "link delivered privately",
                "guardian": guardian.name.strip() if minor else "",
            },
            request=locked,
            user=user,
            recorded_at=now,
        )
        _close_request(locked, RequestOutcome.GRANTED, now=now)
        record = _transition(
            record,
            RightsStatus.GRANTED,
            user=user,
            now=now,
            data={"how": GrantedHow.SITE, "terms_version": terms.version, "minor": minor},
            how=GrantedHow.SITE,
            granted_at=now,
            terms_version=terms,
        )
        if entry.author_id != user.pk:
            social_bridge.claim(entry=entry, user=user, now=now)
    return record


def rights_decline(
    *, rights_request: RightsRequest, user: Any, reason: str = "", now: datetime | None = None
) -> RightsRecord:
    now = now or timezone.now()
    _require_open(rights_request, now=now)
    if not handle_proven(rights_request, user):
        raise NotAllowed("handle_not_proven", _("First show that the post is yours."))
    with transaction.atomic():
        record = _locked(_record_for(rights_request.entry, now=now))
        if not _close_request(rights_request, RequestOutcome.DECLINED, now=now):
            raise Conflict("request_closed", _("This rights request has already been answered."))
        return _transition(
            record,
            RightsStatus.DECLINED,
            user=user,
            now=now,
            data={"request": rights_request.pk, "reason": reason[:1000]},
            reason=reason[:1000],
        )


# --- withdrawal -----------------------------------------------------------------------------------


def rights_withdraw(
    *, entry: Entry, user: Any, reason: str, confirm: bool, now: datetime | None = None
) -> RightsRecord:
    """The creator withdraws consent: the entry leaves the studio's gate and the gallery, and the
    organisation is told which published works used it."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or entry.author_id != user.pk:
        raise NotAllowed("not_author", _("Only the creator can withdraw consent."))
    if not confirm:
        raise ServiceError("confirm_required", _("Please confirm that you want to withdraw."))
    reason = reason.strip()
    if not reason:
        raise ServiceError("reason_required", _("Please tell the organisers why."))
    works = selectors.works_using(entry)
    with transaction.atomic():
        record = _locked(_record_for(entry, now=now))
        if record.status != RightsStatus.GRANTED:
            raise Conflict("invalid_transition", _("Only granted rights can be withdrawn."))
        for rights_request in RightsRequest.objects.filter(entry=entry, closed_at__isnull=True):
            _close_request(rights_request, RequestOutcome.DECLINED, now=now)
        record = _transition(
            record,
            RightsStatus.WITHDRAWN,
            user=user,
            now=now,
            data={"reason": reason[:1000], "works": [w.title for w in works]},
            withdrawn_at=now,
            reason=reason[:1000],
        )
        payload = [{"title": w.title, "url": w.url, "kind": w.kind} for w in works]
        transaction.on_commit(lambda: _enqueue_withdrawal_notice(entry.pk, payload))
    return record


def _enqueue_withdrawal_notice(entry_id: int, works: list[dict[str, str]]) -> None:
    from crowdstudio.rights.tasks import send_withdrawal_notice

    send_withdrawal_notice.enqueue(entry_id=entry_id, works=works)


def withdrawal_recipients(entry: Entry) -> list[str]:
    memberships = entry.campaign.organisation.memberships.filter(
        role__in=[Role.OWNER, Role.PRODUCER]
    ).select_related("user")
    return sorted({m.user.email for m in memberships if m.user.email})


def withdrawal_message(entry: Entry, works: list[dict[str, str]]) -> tuple[str, str]:
    subject = _("Consent withdrawn: “%(title)s”") % {"title": entry.title}
    lines = [
        _(
            "%(name)s withdrew their consent for “%(title)s” in %(campaign)s. It is no longer "
            "used in new renders or exports."
        )
        % {
            "name": entry.author.public_name,
            "title": entry.title,
            "campaign": entry.campaign.title,
        },
        "",
    ]
    if works:
        lines.append(_("Published works that used it:"))
        lines.extend(f"- {w['title']} {w.get('url', '')}".rstrip() for w in works)
    else:
        lines.append(_("No published work has used it."))
    record = RightsRecord.objects.filter(entry=entry).first()
    if record and record.reason:
        lines += ["", _("Reason given: %(reason)s") % {"reason": record.reason}]
    return subject, "\n".join(lines)


# --- releases and policy --------------------------------------------------------------------------


def release_add(
    *,
    entry: Entry,
    user: Any,
    kind: str,
    person_name: str,
    signed_at: date,
    document: Any = None,
    now: datetime | None = None,
) -> Release:
    """Record a signed release; the document (optional) is kept privately, like an original."""
    now = now or timezone.now()
    if kind not in ReleaseKind.values:
        raise ServiceError("invalid_kind", _("Choose the kind of release."))
    person_name = person_name.strip()
    if not person_name:
        raise ServiceError("name_required", _("Give the name of the person who signed."))
    if signed_at > now.date():
        raise ServiceError("signed_in_future", _("The signing date cannot be in the future."))
    original = None
    if document is not None:
        stored = store_original(document)
        original, _created = OriginalFile.objects.get_or_create(
            sha256=stored.sha256,
            defaults={"size": stored.size, "storage_name": stored.name},
        )
    with transaction.atomic():
        release = Release.objects.create(
            entry=entry,
            kind=kind,
            person_name=person_name[:200],
            signed_at=signed_at,
            document=original,
            document_name=(getattr(document, "name", "") or "")[:255] if document else "",
            recorded_by=user,
            recorded_at=now,
        )
        log_action(
            entry,
            "rights.release_added",
            user=user,
            now=now,
            data={"release": release.pk, "kind": kind, "document": original is not None},
            organisation_id=entry.campaign.organisation_id,
            campaign_id=entry.campaign_id,
        )
    return release


POLICY_FIELDS = (
    "public_display",
    "require_people_release",
    "require_music_release",
    "consent_hashtag",
    "request_expiry_days",
    "reply_templates",
)


def policy_save(*, campaign: Campaign, user: Any, **fields: Any) -> CampaignRightsPolicy:
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError("invalid", _("Unknown setting."))
    if "consent_hashtag" in fields:
        tag = str(fields["consent_hashtag"]).strip().lstrip("#")
        if not tag or not all(ch.isalnum() or ch == "_" for ch in tag) or len(tag) > 60:
            raise ServiceError("invalid_hashtag", _("The consent hashtag must be one word."))
        fields["consent_hashtag"] = tag
    if "request_expiry_days" in fields and not 1 <= int(fields["request_expiry_days"]) <= 365:
        raise ServiceError("invalid_expiry", _("Requests expire after 1 to 365 days."))
    with transaction.atomic():
        policy, _created = CampaignRightsPolicy.objects.select_for_update().get_or_create(
            campaign=campaign
        )
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save()
        log_action(
            policy,
            "rights.policy_saved",
            user=user,
            data={k: v for k, v in fields.items() if k != "reply_templates"},
            organisation_id=campaign.organisation_id,
            campaign_id=campaign.id,
        )
    return policy
