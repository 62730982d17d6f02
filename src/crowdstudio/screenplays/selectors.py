"""Reads of screenplays: lists, versions, lineage, comments and test movies."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.access import entries_visible_to
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.screenplays.access import screenplays_visible_to
from crowdstudio.screenplays.elements import Screenplay as Document
from crowdstudio.screenplays.models import (
    AccessStatus,
    CollaboratorAccess,
    ElementComment,
    Screenplay,
    ScriptVersion,
    SourceFormat,
    TestMovie,
    VersionParent,
)

#: The industry rule of thumb: one formatted page is about one minute of screen time.
MINUTES_PER_PAGE = 1.0


def running_minutes(pages: int) -> int:
    return max(1, math.ceil(pages * MINUTES_PER_PAGE)) if pages else 0


def document_of(version: ScriptVersion) -> Document | None:
    """The parsed document of a version; None for a PDF-only one."""
    if version.source_format == SourceFormat.PDF:
        return None
    return Document.from_json_list(version.elements)


@dataclass
class ScreenplayRow:
    screenplay: Screenplay
    latest: ScriptVersion | None
    version_count: int

    @property
    def pages(self) -> int:
        return self.latest.page_count if self.latest else 0


def _rows(queryset: QuerySet[Screenplay]) -> list[ScreenplayRow]:
    rows = []
    # A list needs each version's number and pages, never its text or parsed elements.
    slim = ScriptVersion.objects.only("pk", "screenplay_id", "number", "page_count")
    for screenplay in queryset.prefetch_related(
        Prefetch("versions", queryset=slim.order_by("number"))
    ):
        versions = list(screenplay.versions.all())
        rows.append(ScreenplayRow(screenplay, versions[-1] if versions else None, len(versions)))
    return rows


def campaign_screenplays(campaign: Campaign, user: Any) -> list[ScreenplayRow]:
    """Every screenplay of the campaign this person may see, newest first."""
    return _rows(screenplays_visible_to(user).filter(campaign=campaign).order_by("-created_at"))


def approved_screenplays(campaign: Campaign) -> list[ScreenplayRow]:
    """The campaign's published screenplays (what the campaign page lists)."""
    if not campaign.is_public:
        return []
    return _rows(
        Screenplay.objects.filter(campaign=campaign, entry__status=EntryStatus.APPROVED)
        .select_related("writer", "entry")
        .order_by("title")
    )


def versions_of(screenplay: Screenplay, *, texts: bool = True) -> list[ScriptVersion]:
    """All versions, oldest first, with their authors and parents. Without `texts` the
    versions' source and parsed elements are left in the database (lists of versions need
    neither; a version's text is still read if asked for, one query per version)."""
    versions = ScriptVersion.objects.filter(screenplay=screenplay)
    if not texts:
        versions = versions.defer("source", "elements")
    return list(
        versions.select_related("author")
        .prefetch_related(
            Prefetch(
                "parent_links",
                # only the parents' numbers are read: never their text
                queryset=VersionParent.objects.select_related("parent")
                .defer("parent__source", "parent__elements")
                .order_by("position"),
            )
        )
        .order_by("number")
    )


def parent_numbers(version: ScriptVersion) -> list[int]:
    return [link.parent.number for link in version.parent_links.all()]


def comments_by_element(version: ScriptVersion) -> dict[int, list[ElementComment]]:
    out: dict[int, list[ElementComment]] = {}
    for comment in (
        ElementComment.objects.filter(version=version, hidden_at__isnull=True)
        .select_related("author")
        .order_by("element_index", "created_at", "id")
    ):
        out.setdefault(comment.element_index, []).append(comment)
    return out


def test_movies_of(version: ScriptVersion, user: Any) -> list[Entry]:
    """The film entries declared test movies of this version that this person may see."""
    return list(
        entries_visible_to(user)
        .filter(test_movie__version=version)
        .select_related("author", "campaign")
        .order_by("-created_at")
    )


test_movies_of.__test__ = False  # type: ignore[attr-defined]  # a selector, not a pytest test


def test_movie_of(entry: Entry) -> TestMovie | None:
    return TestMovie.objects.filter(entry=entry).select_related("version__screenplay").first()


test_movie_of.__test__ = False  # type: ignore[attr-defined]


def declarable_versions(user: Any, entry: Entry, query: str = "") -> list[ScriptVersion]:
    """Versions a test movie of `entry` may point at: scripts this person sees in the same
    organisation's campaigns, optionally searched by title or screenplay id."""
    screenplays = screenplays_visible_to(user).filter(
        campaign__organisation_id=entry.campaign.organisation_id
    )
    query = query.strip()
    if query:
        match = Q(title__icontains=query)
        if query.isdigit():
            match |= Q(pk=int(query))
        screenplays = screenplays.filter(match)
    return list(
        ScriptVersion.objects.filter(screenplay__in=screenplays.values("pk"))
        .select_related("screenplay")
        .only("number", "screenplay__title")  # a choice list: never the script text
        .order_by("screenplay__title", "screenplay_id", "number")[:200]
    )


def access_rows(screenplay: Screenplay) -> list[CollaboratorAccess]:
    """Requests and grants, open requests first (what the writer decides on)."""
    rows = list(
        CollaboratorAccess.objects.filter(screenplay=screenplay)
        .select_related("user")
        .order_by("-requested_at")
    )
    return sorted(rows, key=lambda r: r.status != AccessStatus.REQUESTED)


@dataclass
class LineageNode:
    version: ScriptVersion
    parents: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)


def lineage(screenplay: Screenplay) -> list[LineageNode]:
    """The version graph, oldest first: each version with its parents' and children's numbers."""
    versions = versions_of(screenplay)
    nodes = {v.number: LineageNode(v, parent_numbers(v)) for v in versions}
    for node in nodes.values():
        for parent in node.parents:
            if parent in nodes:
                nodes[parent].children.append(node.version.number)
    return list(nodes.values())


def credit_lineage(nodes: list[LineageNode]) -> list[Any]:
    """The lineage in the shape credits.py reads (`VersionInfo`s)."""
    from crowdstudio.screenplays.credits import VersionInfo

    return [
        VersionInfo(
            number=node.version.number,
            author_id=node.version.author_id,
            author_name=node.version.author.public_name,
            parents=tuple(node.parents),
            created=node.version.created_at,
        )
        for node in nodes
    ]


def change_weights(nodes: list[LineageNode]) -> dict[int, int]:
    """Words each version changed relative to its parents (what the award split weighs)."""
    from crowdstudio.screenplays.diff import change_weight

    documents = {node.version.number: document_of(node.version) for node in nodes}
    weights: dict[int, int] = {}
    for node in nodes:
        new = documents[node.version.number]
        parents = [documents[n] for n in node.parents if documents.get(n) is not None]
        if new is None or not node.parents:
            weights[node.version.number] = 0
        elif not parents:
            weights[node.version.number] = 0
        else:
            weights[node.version.number] = change_weight([p for p in parents if p is not None], new)
    return weights
