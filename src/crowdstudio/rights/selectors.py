"""Reads of the rights app: the studio's gate, the gallery filter, overviews, the works registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Entry, EntrySource, EntryStatus
from crowdstudio.rights.models import (
    CampaignRightsPolicy,
    ConsentEvidence,
    Release,
    ReleaseKind,
    RightsRecord,
    RightsRequest,
    RightsStatus,
)


def policy_for(campaign: Campaign) -> CampaignRightsPolicy:
    """The campaign's policy, or the defaults (unsaved) while it has none."""
    found = CampaignRightsPolicy.objects.filter(campaign=campaign).first()
    return found or CampaignRightsPolicy(campaign=campaign)


def rights_granted_q() -> Q:
    """Entries whose rights are granted: a granted record, or an upload with accepted terms and
    no record (a withdrawn upload has a record in "withdrawn")."""
    upload = Q(source=EntrySource.UPLOAD, terms_version__isnull=False, rights_record__isnull=True)
    return Q(rights_record__status=RightsStatus.GRANTED) | upload


def _releases_q(policy: CampaignRightsPolicy) -> Q:
    q = Q()
    if policy.require_people_release:
        q &= Q(
            Exists(
                Release.objects.filter(
                    entry=OuterRef("pk"),
                    kind__in=[ReleaseKind.PEOPLE, ReleaseKind.MINOR_GUARDIAN],
                )
            )
        )
    if policy.require_music_release:
        q &= Q(Exists(Release.objects.filter(entry=OuterRef("pk"), kind=ReleaseKind.MUSIC)))
    return q


def usable_entries(campaign: Campaign) -> QuerySet[Entry]:
    """The gate of the studio: approved entries whose rights are granted and whose required
    releases are present. Montage, credits and exports take their entries from here only."""
    policy = policy_for(campaign)
    return Entry.objects.filter(
        rights_granted_q(), _releases_q(policy), campaign=campaign, status=EntryStatus.APPROVED
    )


def is_usable(entry: Entry) -> bool:
    return usable_entries(entry.campaign).filter(pk=entry.pk).exists()


def missing_releases(entry: Entry) -> list[str]:
    """The release kinds the campaign requires that the entry does not have yet."""
    policy = policy_for(entry.campaign)
    kinds = set(Release.objects.filter(entry=entry).values_list("kind", flat=True))
    missing = []
    if policy.require_people_release and not kinds & {
        ReleaseKind.PEOPLE,
        ReleaseKind.MINOR_GUARDIAN,
    }:
        missing.append(ReleaseKind.PEOPLE.value)
    if policy.require_music_release and ReleaseKind.MUSIC not in kinds:
        missing.append(ReleaseKind.MUSIC.value)
    return missing


def publicly_displayable(entries: QuerySet[Entry], campaign: Campaign) -> QuerySet[Entry]:
    """The gallery's filter: never withdrawn entries; imported ones only once granted and only
    when the campaign's policy allows public display."""
    entries = entries.exclude(rights_record__status=RightsStatus.WITHDRAWN)
    if not policy_for(campaign).public_display:
        return entries.filter(source=EntrySource.UPLOAD)
    return entries.filter(Q(source=EntrySource.UPLOAD) | rights_granted_q())


def rights_status(entry: Entry) -> str:
    """The entry's effective rights status (uploads without a record count as granted)."""
    record = RightsRecord.objects.filter(entry=entry).first()
    if record is not None:
        return record.status
    if entry.source == EntrySource.UPLOAD and entry.terms_version_id is not None:
        return RightsStatus.GRANTED
    return RightsStatus.AWAITING


def record_of(entry: Entry) -> RightsRecord | None:
    return RightsRecord.objects.filter(entry=entry).select_related("terms_version").first()


def open_request(entry: Entry) -> RightsRequest | None:
    return RightsRequest.objects.filter(entry=entry, closed_at__isnull=True).first()


def request_by_token(token: str) -> RightsRequest | None:
    if not token or len(token) > 64:
        return None
    return (
        RightsRequest.objects.select_related(
            "entry__campaign__organisation", "entry__author", "terms_version"
        )
        .filter(token=token)
        .first()
    )


def evidence_of(entry: Entry) -> QuerySet[ConsentEvidence]:
    return ConsentEvidence.objects.filter(entry=entry).select_related(
        "terms_version", "request", "user"
    )


def releases_of(entry: Entry) -> QuerySet[Release]:
    return Release.objects.filter(entry=entry).select_related("recorded_by")


def campaign_rights(campaign: Campaign, *, status: str = "") -> list[dict[str, Any]]:
    """Every entry of the campaign with its effective rights status and open request."""
    entries = (
        Entry.objects.filter(campaign=campaign)
        .select_related("author", "rights_record")
        .order_by("created_at", "id")
    )
    requests = {
        r.entry_id: r
        for r in RightsRequest.objects.filter(entry__campaign=campaign, closed_at__isnull=True)
    }
    evidence_counts = dict(
        ConsentEvidence.objects.filter(entry__campaign=campaign)
        .values("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )
    release_counts = dict(
        Release.objects.filter(entry__campaign=campaign)
        .values("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )
    rows = []
    for entry in entries:
        record = getattr(entry, "rights_record", None)
        if record is not None:
            effective = record.status
        elif entry.source == EntrySource.UPLOAD and entry.terms_version_id is not None:
            effective = RightsStatus.GRANTED
        else:
            effective = RightsStatus.AWAITING
        if status and effective != status:
            continue
        rows.append(
            {
                "entry": entry,
                "status": effective,
                "status_label": RightsStatus(effective).label,
                "record": record,
                "request": requests.get(entry.pk),
                "evidence": evidence_counts.get(entry.pk, 0),
                "releases": release_counts.get(entry.pk, 0),
                "can_request": effective in REQUESTABLE and entry.pk not in requests,
            }
        )
    return rows


REQUESTABLE = frozenset({RightsStatus.AWAITING, RightsStatus.REQUESTED, RightsStatus.EXPIRED})


def status_counts(rows: Iterable[dict[str, Any]]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return [(value, str(label), counts.get(value, 0)) for value, label in RightsStatus.choices]


# --- works that used an entry (filled in by the studio) -------------------------------------------


@dataclass(frozen=True)
class WorkUse:
    """A published work (montage, table read, export) that used an entry."""

    title: str
    url: str = ""
    kind: str = ""


WorkSource = Callable[[Entry], Iterable[WorkUse]]
_work_sources: list[WorkSource] = []


def register_work_source(source: WorkSource) -> WorkSource:
    """Register a callable answering the published works that used an entry (the studio's
    provenance records). Usable as a decorator; registering twice is harmless."""
    if source not in _work_sources:
        _work_sources.append(source)
    return source


def unregister_work_source(source: WorkSource) -> None:
    if source in _work_sources:
        _work_sources.remove(source)


def works_using(entry: Entry) -> list[WorkUse]:
    """Every published work that used the entry, as reported by the registered sources."""
    works: list[WorkUse] = []
    for source in list(_work_sources):
        works.extend(source(entry))
    return works
