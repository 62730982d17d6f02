"""Hashtag sources and imports: every write of the social app.

A source is polled by one worker at a time (a lease taken with a conditional update). Each page
a connector returns is imported in one transaction together with the cursor that follows it, so
a crash mid-page resumes from the last stored cursor, and the unique (network, post id) of
ImportedPost makes a post become at most one entry whatever the overlap between polls or
sources.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Entry
from crowdstudio.lib import crypto
from crowdstudio.lib.errors import Conflict, ServiceError
from crowdstudio.social import clients
from crowdstudio.social.connectors.base import (
    ConnectorError,
    Media,
    NotAuthorised,
    Page,
    Post,
    RateLimited,
    Unavailable,
)
from crowdstudio.social.models import (
    HashtagSource,
    ImportedPost,
    InstagramHashtagUse,
    Network,
    PostOutcome,
    SocialIdentity,
    SourceStatus,
)

logger = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_POLL_SECONDS = 15 * 60
MIN_POLL_SECONDS = 60
#: Instagram's recent_media covers only the last 24 hours: poll at least hourly.
INSTAGRAM_MAX_POLL_SECONDS = 60 * 60
INSTAGRAM_HASHTAGS_PER_WEEK = 30
INSTAGRAM_WINDOW = timedelta(days=7)
LEASE = timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 60 * 60
#: After this many failed polls in a row a source is shown as "failing" (still retried).
FAILING_AFTER = 5

#: `source_update`'s default for "leave as it is".
KEEP = object()

HASHTAG_RE = re.compile(r"^\w{1,100}$")


def _max_pages() -> int:
    return int(getattr(settings, "CROWDSTUDIO_SOCIAL_MAX_PAGES_PER_POLL", 100))


def normalise_hashtag(value: str) -> str:
    tag = value.strip().lstrip("#").strip().lower()
    if not HASHTAG_RE.match(tag):
        raise ServiceError(
            "invalid_hashtag", _("A hashtag is one word of letters, digits or underscores.")
        )
    return tag


def _interval_for(network: str, seconds: int | None) -> int:
    seconds = seconds or DEFAULT_POLL_SECONDS
    seconds = max(MIN_POLL_SECONDS, seconds)
    if network == Network.INSTAGRAM:
        seconds = min(seconds, INSTAGRAM_MAX_POLL_SECONDS)
    return seconds


# --- sources ---------------------------------------------------------------------------------


def source_connect(
    *,
    campaign: Campaign,
    user: Any,
    network: str,
    hashtag: str,
    instance: str = "",
    account: str = "",
    secret: str = "",
    since: datetime | None = None,
    poll_interval_seconds: int | None = None,
    now: datetime | None = None,
) -> HashtagSource:
    """Connect a hashtag on a network to a campaign; the secret is stored encrypted."""
    now = now or timezone.now()
    if network not in Network.values:
        raise ServiceError("invalid_network", _("Choose Mastodon, Bluesky or Instagram."))
    tag = normalise_hashtag(hashtag)
    instance = instance.strip().rstrip("/")
    account = account.strip()
    secret = secret.strip()
    address_ok = re.match(r"^https?://[^/\s]+$", instance) is not None
    if network == Network.MASTODON and not address_ok:
        raise ServiceError(
            "instance_required",
            _("Give the Mastodon server's address, e.g. https://mastodon.social"),
        )
    if network == Network.BLUESKY and instance and not address_ok:
        raise ServiceError(
            "instance_required", _("Give the Bluesky service's address, e.g. https://bsky.social")
        )
    if network == Network.INSTAGRAM:
        instance = ""
    if network != Network.MASTODON:
        if not account:
            raise ServiceError(
                "account_required",
                _("Give the Bluesky handle that signs in, or the Instagram business account id."),
            )
        if not secret:
            raise ServiceError(
                "secret_required",
                _("Give the app password (Bluesky) or the access token (Instagram)."),
            )
    try:
        with transaction.atomic():
            source = HashtagSource.objects.create(
                campaign=campaign,
                network=network,
                hashtag=tag,
                instance=instance,
                account=account,
                credentials_encrypted=crypto.encrypt(secret) if secret else "",
                since=since,
                poll_interval_seconds=_interval_for(network, poll_interval_seconds),
                next_poll_at=now,
                created_by=user,
                created_at=now,
            )
            log_action(
                source,
                "social.source_connected",
                user=user,
                now=now,
                data={
                    "network": network,
                    "hashtag": tag,
                    "instance": instance,
                    "account": account,
                    "credentials": "set" if secret else "none",
                },
                organisation_id=campaign.organisation_id,
                campaign_id=campaign.id,
            )
    except IntegrityError as error:
        raise Conflict(
            "already_connected", _("This hashtag is already connected to the campaign.")
        ) from error
    return source


def source_update(
    *,
    source: HashtagSource,
    user: Any,
    account: str | None = None,
    secret: str = "",
    since: datetime | object | None = KEEP,
    poll_interval_seconds: int | None = None,
    now: datetime | None = None,
) -> HashtagSource:
    """Change a source's settings; an empty `secret` keeps the stored one, and `since` is
    kept unless given (None clears it)."""
    now = now or timezone.now()
    changed: dict[str, Any] = {}
    if account is not None and account.strip() != source.account:
        source.account = account.strip()
        changed["account"] = source.account
    if since is not KEEP and since != source.since:
        source.since = since if isinstance(since, datetime) else None
        changed["since"] = source.since.isoformat() if source.since else None
    interval = _interval_for(source.network, poll_interval_seconds or source.poll_interval_seconds)
    if interval != source.poll_interval_seconds:
        source.poll_interval_seconds = interval
        changed["poll_interval_seconds"] = interval
    if secret.strip():
        source.credentials_encrypted = crypto.encrypt(secret.strip())
        changed["credentials"] = "replaced"
    if not changed:
        return source
    with transaction.atomic():
        source.save()
        log_action(
            source,
            "social.source_updated",
            user=user,
            now=now,
            data=changed,
            organisation_id=source.campaign.organisation_id,
            campaign_id=source.campaign_id,
        )
    return source


def source_pause(*, source: HashtagSource, user: Any, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        moved = (
            HashtagSource.objects.filter(pk=source.pk)
            .exclude(status=SourceStatus.PAUSED)
            .update(status=SourceStatus.PAUSED, updated_at=now)
        )
        if moved:
            log_action(
                source,
                "social.source_paused",
                user=user,
                now=now,
                organisation_id=source.campaign.organisation_id,
                campaign_id=source.campaign_id,
            )
    source.refresh_from_db()
    return bool(moved)


def source_resume(*, source: HashtagSource, user: Any, now: datetime | None = None) -> bool:
    """Poll again from the stored cursor, with the back-off and error cleared."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = (
            HashtagSource.objects.filter(pk=source.pk)
            .exclude(status=SourceStatus.ACTIVE)
            .update(
                status=SourceStatus.ACTIVE,
                backoff_level=0,
                last_error="",
                next_poll_at=now,
                updated_at=now,
            )
        )
        if moved:
            log_action(
                source,
                "social.source_resumed",
                user=user,
                now=now,
                organisation_id=source.campaign.organisation_id,
                campaign_id=source.campaign_id,
            )
    source.refresh_from_db()
    return bool(moved)


def source_poll_now(*, source: HashtagSource, user: Any, now: datetime | None = None) -> bool:
    """Queue a poll at once (the "poll now" button); a repeated click queues nothing more."""
    now = now or timezone.now()
    if source.status == SourceStatus.PAUSED:
        raise Conflict("source_paused", _("Resume the source before polling it."))
    with transaction.atomic():
        queued = (
            HashtagSource.objects.filter(pk=source.pk)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - LEASE))
            .update(queued_at=now, next_poll_at=now)
        )
        if queued:
            log_action(
                source,
                "social.poll_requested",
                user=user,
                now=now,
                organisation_id=source.campaign.organisation_id,
                campaign_id=source.campaign_id,
            )
            source_id = source.pk
            transaction.on_commit(lambda: _enqueue_poll(source_id))
    return bool(queued)


def _enqueue_poll(source_id: int) -> None:
    from crowdstudio.social.tasks import poll_source

    poll_source.enqueue(source_id=source_id)


def sources_poll_due(*, now: datetime | None = None) -> int:
    """Enqueue a poll for every source whose next poll is due; returns how many.

    Idempotent: a source queued less than a lease ago is not queued again, so every worker's
    clock may run this.
    """
    now = now or timezone.now()
    due = (
        HashtagSource.objects.filter(
            status__in=(SourceStatus.ACTIVE, SourceStatus.FAILING), next_poll_at__lte=now
        )
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - LEASE))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", "queued_at")
    )
    count = 0
    for source_id, queued_at in list(due):
        with transaction.atomic():
            if HashtagSource.objects.filter(pk=source_id, queued_at=queued_at).update(
                queued_at=now
            ):
                transaction.on_commit(lambda sid=source_id: _enqueue_poll(sid))  # type: ignore[misc]
                count += 1
    return count


# --- Instagram's hashtag quota --------------------------------------------------------------


@dataclass(frozen=True)
class HashtagQuota:
    used: int
    left: int
    tags: list[str]
    next_free_at: datetime | None  # when the oldest counted hashtag stops counting


def instagram_quota(*, account: str, now: datetime | None = None) -> HashtagQuota:
    now = now or timezone.now()
    rows = list(
        InstagramHashtagUse.objects.filter(
            account=account, searched_at__gt=now - INSTAGRAM_WINDOW
        ).order_by("searched_at")
    )
    return HashtagQuota(
        used=len(rows),
        left=max(0, INSTAGRAM_HASHTAGS_PER_WEEK - len(rows)),
        tags=[row.hashtag for row in rows],
        next_free_at=rows[0].searched_at + INSTAGRAM_WINDOW if rows else None,
    )


def _instagram_quota_take(*, account: str, hashtag: str, now: datetime) -> datetime | None:
    """Count `hashtag` for `account`; None if it may be searched now, else when a slot frees."""
    with transaction.atomic():
        rows = list(
            InstagramHashtagUse.objects.select_for_update().filter(account=account)
        )  # locks the account's rows, so two polls cannot both take the 30th slot
        window_start = now - INSTAGRAM_WINDOW
        mine = next((row for row in rows if row.hashtag == hashtag), None)
        if mine is not None and mine.searched_at > window_start:
            return None
        live = sorted(r.searched_at for r in rows if r.searched_at > window_start)
        if len(live) >= INSTAGRAM_HASHTAGS_PER_WEEK:
            return live[0] + INSTAGRAM_WINDOW
        InstagramHashtagUse.objects.update_or_create(
            account=account, hashtag=hashtag, defaults={"searched_at": now}
        )
    return None


# --- polling ---------------------------------------------------------------------------------


@dataclass
class PollResult:
    outcome: str  # "ok" | "busy" | "paused" | "rate_limited" | "unavailable" | "not_authorised"
    #                 | "quota" | "error"
    pages: int = 0
    imported: int = 0
    skipped: int = 0
    already: int = 0
    consent_posts: int = 0
    errors: list[str] = field(default_factory=list)


def source_poll(*, source: HashtagSource, now: datetime | None = None) -> PollResult:
    """Fetch and import the source's new posts; never raises for a network's trouble.

    Back-off: a rate limit waits for Retry-After (or backs off exponentially), an unavailable
    network or a malformed page backs off exponentially up to a cap and marks the source
    failing after FAILING_AFTER polls in a row, a refused token pauses the source with a
    message for the organiser.
    """
    now = now or timezone.now()
    claimed = (
        HashtagSource.objects.filter(pk=source.pk)
        .exclude(status=SourceStatus.PAUSED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    if not claimed:
        source.refresh_from_db()
        return PollResult("paused" if source.status == SourceStatus.PAUSED else "busy")
    source = HashtagSource.objects.select_related("campaign").get(pk=source.pk)
    result = PollResult("ok")
    secret = ""
    try:
        secret = clients.source_secret(source)
        if source.network == Network.INSTAGRAM:
            wait_until = _instagram_quota_take(
                account=source.account, hashtag=source.hashtag, now=now
            )
            if wait_until is not None:
                result.outcome = "quota"
                _finish(
                    source,
                    now=now,
                    next_poll_at=wait_until,
                    error=_(
                        "Instagram allows %(n)s different hashtags per account in 7 days; this "
                        "account has used them all. Polling resumes when one frees up."
                    )
                    % {"n": INSTAGRAM_HASHTAGS_PER_WEEK},
                )
                return result
        connector = clients.connector_for(source)
        more = _poll_stream(source, connector, now=now, result=result, consent=False)
        if _consent_tag(source) and connector.can_reply:
            _poll_stream(source, connector, now=now, result=result, consent=True)
    except RateLimited as error:
        result.outcome = "rate_limited"
        _back_off(source, now=now, error=error, secret=secret, retry_after=error.retry_after)
    except NotAuthorised as error:
        result.outcome = "not_authorised"
        _pause_for(source, now=now, error=error, secret=secret)
    except ConnectorError as error:  # Unavailable, BadResponse of a whole page, others
        result.outcome = "unavailable"
        _back_off(source, now=now, error=error, secret=secret)
    except Exception as error:  # never crash the worker: back off and keep the trace in the log
        logger.exception("Polling hashtag source %s failed", source.pk)
        result.outcome = "error"
        _back_off(
            source,
            now=now,
            error=ConnectorError(
                _("Internal error while importing (%(kind)s).") % {"kind": type(error).__name__}
            ),
            secret=secret,
        )
    else:
        next_poll = now if more else now + timedelta(seconds=source.poll_interval_seconds)
        _finish(source, now=now, next_poll_at=next_poll, error="", reset=True)
    return result


def _safe_message(error: ConnectorError, secret: str) -> str:
    message = str(error.message or type(error).__name__)
    if secret:
        message = message.replace(secret, "•••")
    return message[:500]


def _finish(
    source: HashtagSource, *, now: datetime, next_poll_at: datetime, error: str, reset: bool = False
) -> None:
    fields: dict[str, Any] = {
        "lease_until": None,
        "queued_at": None,
        "next_poll_at": next_poll_at,
        "last_polled_at": now,
        "last_error": error,
    }
    if reset:
        fields.update(backoff_level=0, status=SourceStatus.ACTIVE)
    HashtagSource.objects.filter(pk=source.pk).exclude(status=SourceStatus.PAUSED).update(**fields)
    # A source paused while the poll ran stays paused; only release its lease.
    HashtagSource.objects.filter(pk=source.pk, status=SourceStatus.PAUSED).update(
        lease_until=None, queued_at=None, last_polled_at=now
    )


def backoff_delay(level: int) -> int:
    """Seconds to wait after the `level`-th failure in a row: 1, 2, 4 … minutes, capped."""
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, level - 1)))


def _back_off(
    source: HashtagSource,
    *,
    now: datetime,
    error: ConnectorError,
    secret: str,
    retry_after: float | None = None,
) -> None:
    level = source.backoff_level + 1
    if retry_after is not None and retry_after >= 0:
        delay = min(float(BACKOFF_CAP_SECONDS), max(1.0, float(retry_after)))
    else:
        delay = backoff_delay(level)
    status = SourceStatus.FAILING if level >= FAILING_AFTER else SourceStatus.ACTIVE
    message = _safe_message(error, secret)
    HashtagSource.objects.filter(pk=source.pk).exclude(status=SourceStatus.PAUSED).update(
        backoff_level=level, status=status
    )
    _finish(source, now=now, next_poll_at=now + timedelta(seconds=delay), error=message)
    logger.warning("Hashtag source %s backs off %ss: %s", source.pk, delay, message)


def _pause_for(source: HashtagSource, *, now: datetime, error: ConnectorError, secret: str) -> None:
    message = _(
        "The network refused the credentials (%(detail)s). Enter a new token or app password "
        "and resume the source."
    ) % {"detail": _safe_message(error, secret)}
    with transaction.atomic():
        HashtagSource.objects.filter(pk=source.pk).update(
            status=SourceStatus.PAUSED,
            last_error=message,
            lease_until=None,
            queued_at=None,
            last_polled_at=now,
        )
        log_action(
            source,
            "social.source_paused",
            now=now,
            data={"reason": "not_authorised"},
            organisation_id=source.campaign.organisation_id,
            campaign_id=source.campaign_id,
        )


def _poll_stream(
    source: HashtagSource, connector: Any, *, now: datetime, result: PollResult, consent: bool
) -> bool:
    """Fetch pages while the network has more (up to a cap); True if it still has more."""
    tag = _consent_tag(source) if consent else source.hashtag
    cursor = source.consent_cursor if consent else source.cursor
    for _page_number in range(_max_pages()):
        page: Page = connector.fetch_hashtag(tag, cursor)
        result.pages += 1
        if consent:
            _consent_page(source, page, result=result)
        else:
            _import_page(source, connector, page, now=now, result=result)
        cursor = page.cursor
        if not page.more:
            return False
        # Keep the lease while a long backlog is imported.
        HashtagSource.objects.filter(pk=source.pk).update(lease_until=now + LEASE)
    return True


def _consent_tag(source: HashtagSource) -> str:
    """The campaign's consent hashtag, lower-case without "#": one setting for the whole
    campaign, kept by the rights app (its requests quote it, its detection looks for it)."""
    from crowdstudio.rights.selectors import policy_for

    return policy_for(source.campaign).hashtag


def _is_consent(post: Post, consent_tag: str) -> bool:
    return bool(consent_tag) and consent_tag.lower() in {t.lower() for t in post.hashtags}


def _consent_page(source: HashtagSource, page: Page, *, result: PollResult) -> None:
    with transaction.atomic():
        _consent_seen(source, list(page.posts), result=result)
        HashtagSource.objects.filter(pk=source.pk).update(consent_cursor=page.cursor)


def _consent_seen(source: HashtagSource, posts: list[Post], *, result: PollResult) -> None:
    if not posts:
        return
    from crowdstudio.rights import services as rights

    result.consent_posts += len(posts)
    rights.consent_replies_seen(campaign=source.campaign, network=source.network, posts=posts)


@dataclass
class _Prepared:
    post: Post
    files: list[tuple[str, str, IO[bytes]]]
    skip_reason: str = ""


def _import_page(
    source: HashtagSource, connector: Any, page: Page, *, now: datetime, result: PollResult
) -> None:
    campaign = source.campaign
    posts = [p for p in page.posts if p.id]
    known = _already_imported(source.network, [p.id for p in posts])
    consent_posts: list[Post] = []
    prepared: list[_Prepared] = []
    already = 0
    seen_ids: set[str] = set()
    consent_tag = _consent_tag(source)
    try:
        for post in posts:
            if post.in_reply_to_id or _is_consent(post, consent_tag):
                consent_posts.append(post)
                if _is_consent(post, consent_tag):
                    continue  # a consent reply is evidence, not an entry
            if post.id in known or post.id in seen_ids:
                already += 1
                continue
            seen_ids.add(post.id)
            if source.since is not None and post.created_at < source.since:
                continue
            # Downloads happen before the page's transaction: no lock is held during network I/O.
            prepared.append(_prepare(connector, campaign, post))
        with transaction.atomic():
            imported = skipped = 0
            for item in prepared:
                try:
                    with transaction.atomic():
                        if _record(source, item, now=now):
                            imported += 1
                        else:
                            skipped += 1
                except IntegrityError:
                    # Another source or worker imported this post meanwhile: the constraint
                    # is the guard.
                    already += 1
            _consent_seen(source, consent_posts, result=result)
            HashtagSource.objects.filter(pk=source.pk).update(
                cursor=page.cursor,
                posts_seen=F("posts_seen") + len(page.posts),
                posts_imported=F("posts_imported") + imported,
                posts_skipped=F("posts_skipped") + skipped,
                posts_already_imported=F("posts_already_imported") + already,
            )
        result.imported += imported
        result.skipped += skipped
        result.already += already
    finally:
        for item in prepared:
            for _name, _type, fh in item.files:
                fh.close()


def _already_imported(network: str, post_ids: list[str]) -> set[str]:
    return set(
        ImportedPost.objects.filter(network=network, post_id__in=post_ids).values_list(
            "post_id", flat=True
        )
    )


def _prepare(connector: Any, campaign: Campaign, post: Post) -> _Prepared:
    """Download the post's media that the campaign accepts, up to its file limits.

    A broken or oversized file is skipped; a rate limit or an outage propagates, so the page
    is fetched again later.
    """
    if not post.media:
        return _Prepared(post, [], "no_media")
    accepted = set(campaign.accepted_kinds or [])
    wanted = [m for m in post.media if m.kind in accepted][: campaign.max_files_per_entry]
    if not wanted:
        return _Prepared(post, [], "media_not_accepted")
    files: list[tuple[str, str, IO[bytes]]] = []
    for position, media in enumerate(wanted):
        try:
            data = connector.download(media, max_bytes=campaign.max_file_mb * MB)
        except (RateLimited, Unavailable):
            for _name, _type, fh in files:
                fh.close()
            raise
        except ConnectorError as error:
            logger.info("Skipping media %s of post %s: %s", media.url, post.id, error.message)
            continue
        spool = tempfile.SpooledTemporaryFile(max_size=MB)  # closed by _import_page
        spool.write(data)
        spool.seek(0)
        files.append((_media_name(post, media, position), media.mime, spool))
    if not files:
        return _Prepared(post, [], "media_failed")
    return _Prepared(post, files)


def _media_name(post: Post, media: Media, position: int) -> str:
    tail = media.url.rsplit("/", 1)[-1].split("?", 1)[0][:80]
    return tail or f"{post.network}-{position + 1}"


def _snapshot(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "url": post.url,
        "author_id": post.author_id,
        "author_handle": post.author_handle,
        "text": post.text,
        "created_at": post.created_at.isoformat(),
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "in_reply_to_id": post.in_reply_to_id,
        "hashtags": list(post.hashtags),
        "media": [{"url": m.url, "kind": m.kind, "mime": m.mime} for m in post.media],
        "raw": post.raw,
    }


def _title_for(post: Post) -> str:
    for line in post.text.splitlines():
        words = " ".join(w for w in line.split() if not w.startswith(("#", "http")))
        if words.strip():
            return words.strip()[:120]
    if post.author_handle:
        return _("Post by %(handle)s") % {"handle": post.author_handle}
    return _("Post on %(network)s") % {"network": Network(post.network).label}


def _record(source: HashtagSource, item: _Prepared, *, now: datetime) -> bool:
    """Record one post (the unique row first: it is the guard), and its entry if it has media."""
    from crowdstudio.entries.services import entry_import
    from crowdstudio.rights import services as rights

    post = item.post
    identity = identity_for_post(post=post, instance=source.instance, now=now)
    imported = ImportedPost.objects.create(
        source=source,
        campaign=source.campaign,
        network=source.network,
        post_id=post.id[:300],
        url=post.url[:500],
        author=identity,
        text=post.text,
        created_at=post.created_at,
        snapshot=_snapshot(post),
        outcome=PostOutcome.SKIPPED if item.skip_reason else PostOutcome.IMPORTED,
        skip_reason=item.skip_reason,
        imported_at=now,
    )
    if item.skip_reason:
        return False
    entry = entry_import(
        campaign=source.campaign,
        author=identity.user,
        source=source.network,
        source_url=post.url,
        title=_title_for(post),
        description=post.text,
        files=item.files,  # type: ignore[arg-type]
        now=now,
    )
    imported.entry = entry
    imported.save(update_fields=["entry"])
    rights.rights_open_import(entry=entry, post=post)
    return True


# --- identities ------------------------------------------------------------------------------


def _remote_id(post: Post) -> str:
    if post.author_id:
        return post.author_id
    if post.author_handle:
        return "handle:" + post.author_handle.lower()
    return "post:" + post.id


def identity_for_post(
    *, post: Post, instance: str = "", now: datetime | None = None
) -> SocialIdentity:
    """The author's identity, with an inactive placeholder user the first time it is seen."""
    now = now or timezone.now()
    remote_id = _remote_id(post)[:300]
    identity = SocialIdentity.objects.filter(network=post.network, remote_id=remote_id).first()
    if identity is not None:
        if post.author_handle and identity.handle != post.author_handle:
            SocialIdentity.objects.filter(pk=identity.pk).update(handle=post.author_handle[:300])
            identity.handle = post.author_handle[:300]
        return identity
    digest = hashlib.sha256(f"{post.network}:{remote_id}".encode()).hexdigest()[:24]
    label = post.author_handle or _("%(network)s user") % {"network": Network(post.network).label}
    try:
        with transaction.atomic():
            user = get_user_model()(
                username=f"social-{post.network}-{digest}",
                display_name=label[:80],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            return SocialIdentity.objects.create(
                network=post.network,
                remote_id=remote_id,
                handle=post.author_handle[:300],
                instance=instance,
                user=user,
                created_at=now,
            )
    except IntegrityError:
        # A concurrent import created it first.
        return SocialIdentity.objects.get(network=post.network, remote_id=remote_id)


def identity_claim(*, identity: SocialIdentity, user: Any, now: datetime | None = None) -> int:
    """Give the identity's entries to `user`, who proved the handle; returns how many moved.

    Repeating the claim by the same user moves what was imported since; a claim by someone
    else is refused.
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise ServiceError("sign_in_required", _("Sign in to claim your posts."))
    with transaction.atomic():
        locked = SocialIdentity.objects.select_for_update().get(pk=identity.pk)
        if locked.claimed_by_id is not None and locked.claimed_by_id != user.pk:
            raise Conflict("already_claimed", _("Another account has already claimed these posts."))
        first = locked.claimed_by_id is None
        if first:
            locked.claimed_by = user
            locked.claimed_at = now
            locked.save(update_fields=["claimed_by", "claimed_at"])
        entries = list(Entry.objects.filter(author_id=locked.user_id).select_related("campaign"))
        Entry.objects.filter(pk__in=[e.pk for e in entries]).update(author=user, updated_at=now)
        for entry in entries:
            log_action(
                entry,
                "entry.author_claimed",
                user=user,
                now=now,
                data={"identity": str(locked), "network": locked.network, "from": locked.user_id},
                organisation_id=entry.campaign.organisation_id,
                campaign_id=entry.campaign_id,
            )
        if first or entries:
            log_action(
                locked,
                "social.identity_claimed",
                user=user,
                now=now,
                data={"handle": locked.handle, "network": locked.network, "entries": len(entries)},
            )
    identity.claimed_by = locked.claimed_by
    identity.claimed_at = locked.claimed_at
    return len(entries)


def identity_for_entry(entry: Entry) -> SocialIdentity | None:
    imported = ImportedPost.objects.filter(entry=entry).select_related("author").first()
    return imported.author if imported is not None else None


# --- replies ---------------------------------------------------------------------------------


def _post_of(imported: ImportedPost) -> Post:
    snap = imported.snapshot or {}
    return Post(
        network=imported.network,
        id=imported.post_id,
        url=imported.url,
        author_id=str(snap.get("author_id") or ""),
        author_handle=str(snap.get("author_handle") or ""),
        text=imported.text,
        created_at=imported.created_at,
        hashtags=tuple(snap.get("hashtags") or ()),
        raw=dict(snap.get("raw") or {}),
    )


def reply_post(*, entry: Any, text: str) -> Post | None:
    """Reply publicly to the post an entry was imported from; None where the network does not
    allow replies (Instagram) or the entry was not imported.

    Raises ServiceError("reply_failed") when the network refuses or fails, so the caller can
    show it and offer the link instead.
    """
    entry_id = getattr(entry, "pk", None)
    if entry_id is None:
        return None
    imported = (
        ImportedPost.objects.filter(entry_id=entry_id).select_related("source__campaign").first()
    )
    if imported is None or imported.source is None:
        return None
    try:
        connector = clients.connector_for(imported.source)
        if not connector.can_reply:
            return None
        return connector.reply(to=_post_of(imported), text=text)  # type: ignore[no-any-return]
    except ConnectorError as error:
        secret = ""
        try:
            secret = clients.source_secret(imported.source)
        except ConnectorError:
            pass
        raise ServiceError(
            "reply_failed",
            _("The network did not accept the reply: %(detail)s")
            % {"detail": _safe_message(error, secret)},
        ) from error


def connector_for(*, campaign: Campaign, network: str) -> Any | None:
    """A client for `network` configured like one of the campaign's sources (the rights app
    uses it to re-fetch a consent reply); None when the campaign has no such source."""
    source = (
        HashtagSource.objects.filter(campaign=campaign, network=network)
        .exclude(status=SourceStatus.PAUSED)
        .order_by("id")
        .first()
    ) or HashtagSource.objects.filter(campaign=campaign, network=network).order_by("id").first()
    if source is None:
        return None
    return clients.connector_for(source)
