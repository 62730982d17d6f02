"""API routes of the screenplays app: a contest's screenplays, versions, elements, revisions, diffs.

Who sees what is decided by crowdstudio.screenplays.access, exactly as on the web pages; a
screenplay one may not see is a 404.
"""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.schemas import responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.lib.errors import ServiceError
from crowdstudio.screenplays import access, selectors, services
from crowdstudio.screenplays.models import Screenplay, ScriptVersion, SourceFormat

router = Router(tags=["screenplays"])


# --- schemas ----------------------------------------------------------------------------------


class ScreenplaySummaryOut(Schema):
    id: int
    title: str
    logline: str
    writer: str
    collaboration: str = Field(description="`open`, `permission` or `closed`.")
    pages: int = Field(description="Pages of the latest version.")
    versions: int
    entry_id: int | None
    entry_status: str | None = Field(None, description="Shown to the writer and the team.")


class VersionOut(Schema):
    number: int
    author: str
    message: str
    source_format: str = Field(description="`fountain`, `fdx` or `pdf` (read only).")
    content_hash: str = Field(description="sha256 of the canonical Fountain (of the PDF bytes).")
    page_count: int
    parents: list[int] = Field(description="The versions this one is based on.")
    created_at: datetime


class ScreenplayOut(ScreenplaySummaryOut):
    campaign_slug: str | None
    can_revise: bool = Field(description="Whether the caller may post a revision now.")
    version_list: list[VersionOut]


class ElementsOut(Schema):
    number: int
    source_format: str
    elements: list[dict[str, Any]] = Field(
        description="The parsed document: a `title_page` element first when there is one, "
        "then every element with at least `type` and `text` (the CLI's JSON). Empty for a PDF."
    )


class RevisionIn(Schema):
    based_on: list[int] = Field(min_length=1, description="Version numbers (several: a merge).")
    message: str = Field(max_length=500)
    text: str = Field(description="The revised screenplay in Fountain.", max_length=5_000_000)


class DiffQuery(Schema):
    a: int = Field(ge=1, description="The old version's number.")
    b: int = Field(ge=1, description="The new version's number.")


class DiffOut(Schema):
    a: int
    b: int
    summary: dict[str, Any]
    scenes: list[dict[str, Any]]


# --- helpers ----------------------------------------------------------------------------------


def _summary(user: Any, row: selectors.ScreenplayRow) -> dict[str, Any]:
    screenplay = row.screenplay
    insider = access.is_writer(user, screenplay) or access.is_team(user, screenplay)
    return {
        "id": screenplay.pk,
        "title": screenplay.title,
        "logline": screenplay.logline,
        "writer": screenplay.writer.public_name,
        "collaboration": screenplay.collaboration,
        "pages": row.pages,
        "versions": row.version_count,
        "entry_id": screenplay.entry_id,
        "entry_status": screenplay.entry.status if insider and screenplay.entry else None,
    }


def _version(version: ScriptVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "author": version.author.public_name,
        "message": version.message,
        "source_format": version.source_format,
        "content_hash": version.content_hash,
        "page_count": version.page_count,
        "parents": selectors.parent_numbers(version),
        "created_at": version.created_at,
    }


def _detail(user: Any, screenplay: Screenplay) -> dict[str, Any]:
    versions = selectors.versions_of(screenplay, texts=False)
    row = selectors.ScreenplayRow(screenplay, versions[-1] if versions else None, len(versions))
    return {
        **_summary(user, row),
        "campaign_slug": screenplay.campaign.slug if screenplay.campaign else None,
        "can_revise": access.can_revise(user, screenplay),
        "version_list": [_version(v) for v in versions],
    }


# --- routes -----------------------------------------------------------------------------------


@router.get(
    "/campaigns/{slug}/screenplays",
    response=responses({200: list[ScreenplaySummaryOut]}),
    auth=PUBLIC,
    summary="A script contest's screenplays",
    description="Published screenplays for everyone; the writer and the team also see their "
    "unpublished ones.",
)
def campaign_screenplay_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug)
    return [_summary(user, row) for row in selectors.campaign_screenplays(campaign, user)]


@router.get(
    "/screenplays/{screenplay_id}",
    response=responses({200: ScreenplayOut}),
    auth=PUBLIC,
    summary="A screenplay with its versions",
)
def screenplay_get(request: HttpRequest, screenplay_id: int) -> dict[str, Any]:
    user = acting_user(request)
    return _detail(user, access.get_screenplay_for_user(user, screenplay_id))


@router.get(
    "/screenplays/{screenplay_id}/versions/{number}/elements",
    response=responses({200: ElementsOut}),
    auth=PUBLIC,
    summary="The parsed elements of one version",
)
def screenplay_version_elements(
    request: HttpRequest, screenplay_id: int, number: int
) -> dict[str, Any]:
    version = access.get_version_for_user(acting_user(request), screenplay_id, number)
    return {
        "number": version.number,
        "source_format": version.source_format,
        "elements": version.elements,
    }


@router.post(
    "/screenplays/{screenplay_id}/revisions",
    response=responses({201: VersionOut}),
    summary="Post a revision (Fountain text)",
    description="Allowed by the screenplay's collaboration setting (the writer and the team "
    "always). The same text as an existing version is a 409 `same_content`; a Fountain error "
    "is a 400 `parse_error` whose message starts with the line number.",
)
def screenplay_revision_post(
    request: HttpRequest, screenplay_id: int, payload: RevisionIn
) -> Status[dict[str, Any]]:
    user = acting_user(request)
    screenplay = access.get_screenplay_for_user(user, screenplay_id)
    version = services.revision_post(
        screenplay=screenplay,
        author=user,
        based_on=payload.based_on,
        message=payload.message,
        text=payload.text,
    )
    fresh = next(v for v in selectors.versions_of(screenplay, texts=False) if v.pk == version.pk)
    return Status(201, _version(fresh))


@router.get(
    "/screenplays/{screenplay_id}/diff",
    response=responses({200: DiffOut}),
    auth=PUBLIC,
    summary="The differences between two versions, by scene",
)
def screenplay_diff_get(
    request: HttpRequest, screenplay_id: int, query: Query[DiffQuery]
) -> dict[str, Any]:
    from dataclasses import asdict

    from crowdstudio.screenplays.diff import diff_screenplays

    user = acting_user(request)
    old = access.get_version_for_user(user, screenplay_id, query.a)
    new = access.get_version_for_user(user, screenplay_id, query.b)
    old_doc, new_doc = selectors.document_of(old), selectors.document_of(new)
    if (
        old_doc is None
        or new_doc is None
        or SourceFormat.PDF
        in (
            old.source_format,
            new.source_format,
        )
    ):
        raise ServiceError("pdf_version", _("A PDF-only version cannot be compared."))
    diff = diff_screenplays(old_doc, new_doc)
    data = asdict(diff)
    return {
        "a": old.number,
        "b": new.number,
        "summary": data.get("summary", {}),
        "scenes": data.get("scenes", []),
    }
