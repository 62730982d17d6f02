"""Every change to screenplays: submission, revisions, collaboration, access, comments, test movies.

Versions are immutable: a revision is always a new `ScriptVersion` with the next number and one
or more parents; nothing here edits or deletes one. The format of an upload is decided by its
content (a PDF signature, a Final Draft XML root, else UTF-8 Fountain text), never by its name.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdstudio.audit.services import log_action
from crowdstudio.campaigns.models import Campaign, CampaignKind
from crowdstudio.campaigns.services import (
    Applicant,
    accepted_terms,
    code_check,
    code_redeem,
    eligibility_check,
    require_terms_unchanged,
)
from crowdstudio.entries.models import Entry, EntryStatus, OriginalFile
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.lib.storage import store_original
from crowdstudio.screenplays import access
from crowdstudio.screenplays.elements import ElementType, ScreenplayError
from crowdstudio.screenplays.elements import Screenplay as Document
from crowdstudio.screenplays.models import (
    AccessStatus,
    Collaboration,
    CollaboratorAccess,
    ElementComment,
    Screenplay,
    ScriptVersion,
    SourceFormat,
    TestMovie,
    VersionParent,
)

#: Largest script file accepted (a 300-page Fountain script is well under 1 MB; PDFs are bigger).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: How often a revision retries when another one took its number at the same moment.
NUMBER_RETRIES = 5


def max_script_bytes() -> int:
    return int(getattr(settings, "CROWDSTUDIO_SCRIPT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- reading a script file --------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedScript:
    """An upload or pasted text read into our model: what a version is made from."""

    source_format: str
    source: str  # canonical Fountain ("" for a PDF)
    content_hash: str
    document: Document | None  # None for a PDF
    pdf_pages: int = 0


def detect_format(data: bytes) -> str:
    """The format by content: PDF signature, a Final Draft XML root, else Fountain text."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return SourceFormat.PDF
    if head.startswith(b"<") and re.search(rb"<FinalDraft[\s>]", data[:4096]):
        return SourceFormat.FDX
    return SourceFormat.FOUNTAIN


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ServiceError(
            "not_a_script", _("This file is not a Fountain, Final Draft or PDF screenplay.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError(
            "not_utf8",
            _("The file is not UTF-8 text (at byte %(pos)s). Save it as UTF-8 and try again.")
            % {"pos": error.start},
        ) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_error(error: ScreenplayError) -> ServiceError:
    if error.line:
        message = _("line %(line)s: %(message)s") % {"line": error.line, "message": error.message}
    else:
        message = error.message
    return ServiceError("parse_error", message)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_fountain_text(text: str) -> ParsedScript:
    """Pasted or uploaded Fountain: parsed, and written back as the canonical source."""
    from crowdstudio.screenplays import fountain

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ServiceError("empty_script", _("The screenplay is empty."))
    try:
        document = fountain.parse(text)
    except ScreenplayError as error:
        raise _parse_error(error) from error
    if not document.elements and not document.title_page:
        raise ServiceError("empty_script", _("The screenplay is empty."))
    canonical = fountain.write(document)
    return ParsedScript(
        source_format=SourceFormat.FOUNTAIN,
        source=canonical,
        content_hash=_hash(canonical),
        document=document,
    )


def _pdf_pages(data: bytes) -> int:
    """A rough page count of a PDF (its /Type /Page objects); the PDF is never interpreted."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def parse_script_bytes(data: bytes, *, allow_pdf: bool = True) -> ParsedScript:
    """An uploaded file of any accepted format, decided by its content."""
    if not data.strip():
        raise ServiceError("empty_script", _("The file is empty."))
    if len(data) > max_script_bytes():
        raise ServiceError(
            "too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": max_script_bytes() // (1024 * 1024)},
        )
    kind = detect_format(data)
    if kind == SourceFormat.PDF:
        if not allow_pdf:
            raise ServiceError(
                "pdf_not_revisable",
                _("A PDF can only be read; post a revision as Fountain or Final Draft."),
            )
        if b"%%EOF" not in data[-2048:]:
            raise ServiceError("bad_pdf", _("The PDF is incomplete or damaged."))
        return ParsedScript(
            source_format=SourceFormat.PDF,
            source="",
            content_hash=hashlib.sha256(data).hexdigest(),
            document=None,
            pdf_pages=_pdf_pages(data),
        )
    if kind == SourceFormat.FDX:
        from crowdstudio.screenplays import fdx, fountain

        try:
            document = fdx.parse(data)
        except ScreenplayError as error:
            raise _parse_error(error) from error
        canonical = fountain.write(document)
        return ParsedScript(
            source_format=SourceFormat.FDX,
            source=canonical,
            content_hash=_hash(canonical),
            document=document,
        )
    return parse_fountain_text(_decode_text(data))


def _page_count(parsed: ParsedScript) -> int:
    if parsed.document is None:
        return parsed.pdf_pages
    from crowdstudio.screenplays import layout

    return int(layout.page_count(parsed.document))


def _read_upload(upload: Any) -> bytes:
    limit = max_script_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ServiceError(
            "too_large", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(
            "too_large", _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        )
    return data


def _store(data: bytes, parsed: ParsedScript) -> OriginalFile:
    stored = store_original(io.BytesIO(data))
    mime = {
        SourceFormat.PDF: "application/pdf",
        SourceFormat.FDX: "application/xml",
        SourceFormat.FOUNTAIN: "text/plain",
    }[SourceFormat(parsed.source_format)]
    blob, _created = OriginalFile.objects.get_or_create(
        sha256=stored.sha256,
        defaults={"size": stored.size, "storage_name": stored.name, "detected_type": mime},
    )
    return blob


# --- versions ---------------------------------------------------------------------------------


def _notes_to_comments(
    version: ScriptVersion,
    document: Document,
    *,
    parents: Sequence[ScriptVersion] = (),
    now: datetime,
) -> int:
    """One comment per note `[[ ]]`, anchored to its element (a note-only paragraph is its own).

    A note carried over unchanged from a parent keeps that note's author: a reviser who leaves
    the writer's notes in place does not become their author."""
    inherited = dict(
        ElementComment.objects.filter(version__in=[p.pk for p in parents], from_note=True)
        .order_by("-created_at")
        .values_list("body", "author_id")
    )
    comments = []
    for index, element in enumerate(document.elements):
        bodies = list(element.notes)
        if element.type == ElementType.NOTE and element.text.strip():
            bodies.insert(0, element.text)
        for body in bodies:
            if body.strip():
                comments.append(
                    ElementComment(
                        version=version,
                        element_index=index,
                        author_id=inherited.get(body.strip()[:4000], version.author_id),
                        body=body.strip()[:4000],
                        from_note=True,
                        created_at=now,
                    )
                )
    ElementComment.objects.bulk_create(comments)
    return len(comments)


def _same_content(screenplay: Screenplay, content_hash: str) -> ScriptVersion | None:
    return ScriptVersion.objects.filter(screenplay=screenplay, content_hash=content_hash).first()


def _same_content_error(existing: ScriptVersion) -> Conflict:
    return Conflict(
        "same_content",
        _("This text is the same as version %(n)s; nothing new to post.") % {"n": existing.number},
    )


def _version_add(
    *,
    screenplay: Screenplay,
    author: Any,
    parsed: ParsedScript,
    original: OriginalFile | None,
    original_name: str,
    message: str,
    parents: Sequence[ScriptVersion],
    now: datetime,
) -> ScriptVersion:
    """The next version, race-safe: the numbering is a unique constraint, retried on a clash."""
    for _attempt in range(NUMBER_RETRIES):
        try:
            with transaction.atomic():
                latest = ScriptVersion.objects.filter(screenplay=screenplay).aggregate(
                    n=Max("number")
                )["n"]
                version = ScriptVersion.objects.create(
                    screenplay=screenplay,
                    number=(latest or 0) + 1,
                    author=author,
                    message=message.strip()[:500],
                    source_format=parsed.source_format,
                    source=parsed.source,
                    content_hash=parsed.content_hash,
                    original=original,
                    original_name=Path(original_name).name[:255] if original_name else "",
                    elements=parsed.document.to_json_list() if parsed.document else [],
                    page_count=_page_count(parsed),
                    created_at=now,
                )
                VersionParent.objects.bulk_create(
                    VersionParent(child=version, parent=parent, position=position)
                    for position, parent in enumerate(parents)
                )
                if parsed.document is not None:
                    _notes_to_comments(version, parsed.document, parents=parents, now=now)
            return version
        except IntegrityError:
            existing = _same_content(screenplay, parsed.content_hash)
            if existing is not None:
                raise _same_content_error(existing) from None
    raise Conflict("busy", _("Many revisions arrived at once; please send yours again."))


# --- submission -------------------------------------------------------------------------------


def screenplay_submit(
    *,
    campaign: Campaign,
    writer: Any,
    title: str,
    logline: str,
    upload: Any,
    collaboration: str,
    terms_version_id: int | None,
    accept_terms: bool,
    applicant: Applicant,
    submission_key: Any = None,
    now: datetime | None = None,
) -> Screenplay:
    """Enter a screenplay in a script contest: the entry (awaiting moderation), the screenplay,
    version 1 and a comment per note. A retry with the same key returns the first screenplay."""
    now = now or timezone.now()
    if submission_key is not None:
        existing = Screenplay.objects.filter(
            entry__author=writer, entry__submission_key=submission_key
        ).first()
        if existing is not None:
            return existing
    if campaign.kind != CampaignKind.SCRIPT:
        raise ServiceError("not_a_script_contest", _("This campaign does not take screenplays."))
    eligibility_check(campaign=campaign, user=writer, applicant=applicant, now=now)
    terms = accepted_terms(campaign, accept=accept_terms, terms_version_id=terms_version_id)
    title = title.strip()
    if not title:
        raise ServiceError("title_required", _("Give your screenplay a title."))
    if collaboration not in Collaboration.values:
        raise ServiceError("invalid_collaboration", _("Choose who may post revisions."))
    if upload is None:
        raise ServiceError("no_file", _("Choose the screenplay file."))
    data = _read_upload(upload)
    parsed = parse_script_bytes(data)  # a parse error stops here: nothing is created
    code_check(campaign=campaign, user=writer, code=applicant.code)
    # Outside the transaction (file I/O), and tracked by its row at once.
    original = _store(data, parsed)
    name = getattr(upload, "name", "") or "screenplay"

    try:
        with transaction.atomic():
            require_terms_unchanged(campaign, terms)
            code_redeem(campaign=campaign, user=writer, code=applicant.code, now=now)
            entry = Entry.objects.create(
                campaign=campaign,
                round=campaign.round_open_at(now),
                author=writer,
                title=title[:160],
                description=logline.strip(),
                status=EntryStatus.AWAITING_MODERATION,  # text needs no media intake
                terms_version=terms,
                terms_accepted_at=now,
                created_at=now,
                **({"submission_key": submission_key} if submission_key else {}),
            )
            screenplay = Screenplay.objects.create(
                campaign=campaign,
                entry=entry,
                title=title[:200],
                logline=logline.strip()[:1000],
                writer=writer,
                collaboration=collaboration,
                created_at=now,
                updated_at=now,
            )
            version = _version_add(
                screenplay=screenplay,
                author=writer,
                parsed=parsed,
                original=original,
                original_name=name,
                message=_("First draft"),
                parents=(),
                now=now,
            )
            scope = {"organisation_id": campaign.organisation_id, "campaign_id": campaign.id}
            log_action(
                entry,
                "entry.received",
                user=writer,
                now=now,
                data={"files": [version.original_name], "terms_version": terms.version},
                **scope,
            )
            log_action(
                screenplay,
                "screenplay.submitted",
                user=writer,
                now=now,
                data={
                    "format": parsed.source_format,
                    "pages": version.page_count,
                    "hash": parsed.content_hash,
                    "collaboration": collaboration,
                },
                **scope,
            )
    except IntegrityError:
        # A double submit raced past the lookup above: the other one won.
        existing = Screenplay.objects.filter(
            entry__author=writer, entry__submission_key=submission_key
        ).first()
        if existing is None:
            raise
        return existing
    return screenplay


# --- revisions --------------------------------------------------------------------------------


def revision_post(
    *,
    screenplay: Screenplay,
    author: Any,
    based_on: Sequence[int],
    message: str,
    text: str | None = None,
    upload: Any = None,
    now: datetime | None = None,
) -> ScriptVersion:
    """A new version based on one or more existing ones (a merge when several).

    `text` is pasted Fountain; `upload` a Fountain or Final Draft file. The same content as an
    existing version is refused with code `same_content`.
    """
    now = now or timezone.now()
    refusal = access.revise_refusal(author, screenplay)
    if refusal is not None:
        raise NotAllowed("revisions_not_allowed", refusal)
    numbers = list(dict.fromkeys(int(n) for n in based_on))
    if not numbers:
        raise ServiceError("parents_required", _("Say which version your revision is based on."))
    parents_by_number = {
        v.number: v for v in ScriptVersion.objects.filter(screenplay=screenplay, number__in=numbers)
    }
    missing = [n for n in numbers if n not in parents_by_number]
    if missing:
        raise ServiceError(
            "unknown_version",
            _("There is no version %(n)s of this screenplay.") % {"n": missing[0]},
        )
    message = message.strip()
    if not message:
        raise ServiceError("message_required", _("Describe your revision in a short message."))
    has_text = bool(text and text.strip())
    if has_text == (upload is not None):
        raise ServiceError(
            "one_source", _("Paste the revised Fountain text or upload a file (one of the two).")
        )
    original: OriginalFile | None = None
    name = ""
    if upload is not None:
        data = _read_upload(upload)
        parsed = parse_script_bytes(data, allow_pdf=False)
        name = getattr(upload, "name", "") or "revision"
    else:
        assert text is not None
        if len(text.encode("utf-8")) > max_script_bytes():
            raise ServiceError("too_large", _("The text is too long."))
        parsed = parse_fountain_text(text)
    existing = _same_content(screenplay, parsed.content_hash)
    if existing is not None:
        raise _same_content_error(existing)
    if upload is not None:
        original = _store(data, parsed)
    with transaction.atomic():
        version = _version_add(
            screenplay=screenplay,
            author=author,
            parsed=parsed,
            original=original,
            original_name=name,
            message=message,
            parents=[parents_by_number[n] for n in numbers],
            now=now,
        )
        Screenplay.objects.filter(pk=screenplay.pk).update(updated_at=now)
        log_action(
            screenplay,
            "screenplay.revised",
            user=author,
            now=now,
            data={
                "version": version.number,
                "based_on": numbers,
                "hash": version.content_hash,
                "message": version.message,
            },
            organisation_id=screenplay.campaign.organisation_id if screenplay.campaign else None,
            campaign_id=screenplay.campaign_id,
        )
    return version


# --- collaboration and access -------------------------------------------------------------------


def _scope(screenplay: Screenplay) -> dict[str, Any]:
    return {
        "organisation_id": screenplay.campaign.organisation_id if screenplay.campaign else None,
        "campaign_id": screenplay.campaign_id,
    }


def collaboration_set(
    *, screenplay: Screenplay, user: Any, collaboration: str, now: datetime | None = None
) -> Screenplay:
    """The writer changes who may post revisions; old revisions always stay."""
    now = now or timezone.now()
    if not access.is_writer(user, screenplay):
        raise NotAllowed("writer_only", _("Only the writer changes the collaboration setting."))
    if collaboration not in Collaboration.values:
        raise ServiceError("invalid_collaboration", _("Choose who may post revisions."))
    with transaction.atomic():
        old = (
            Screenplay.objects.select_for_update()
            .values_list("collaboration", flat=True)
            .get(pk=screenplay.pk)
        )
        if old == collaboration:
            screenplay.collaboration = old
            return screenplay
        Screenplay.objects.filter(pk=screenplay.pk).update(
            collaboration=collaboration, updated_at=now
        )
        log_action(
            screenplay,
            "screenplay.collaboration_changed",
            user=user,
            now=now,
            data={"from": old, "to": collaboration},
            **_scope(screenplay),
        )
    screenplay.collaboration = collaboration
    screenplay.updated_at = now
    return screenplay


def access_request(
    *, screenplay: Screenplay, user: Any, message: str, now: datetime | None = None
) -> CollaboratorAccess:
    """A reader asks the writer for permission to post revisions. Asking twice is one request."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("sign_in", _("Sign in to ask for access."))
    if not access.can_view_screenplay(user, screenplay):
        raise NotAllowed("not_visible", _("You cannot see this screenplay."))
    if access.is_writer(user, screenplay):
        raise ServiceError("own_screenplay", _("You are the writer of this screenplay."))
    if screenplay.collaboration != Collaboration.BY_PERMISSION:
        raise Conflict(
            "not_by_permission",
            _("This screenplay does not take access requests (its setting is “%(s)s”).")
            % {"s": Collaboration(screenplay.collaboration).label},
        )
    message = message.strip()[:2000]
    with transaction.atomic():
        row, created = CollaboratorAccess.objects.select_for_update().get_or_create(
            screenplay=screenplay,
            user=user,
            defaults={"status": AccessStatus.REQUESTED, "message": message, "requested_at": now},
        )
        if not created:
            if row.status in (AccessStatus.REQUESTED, AccessStatus.GRANTED):
                return row  # a repeated click, or already granted
            row.status = AccessStatus.REQUESTED
            row.message = message
            row.requested_at = now
            row.decided_by = None
            row.decided_at = None
            row.save(
                update_fields=["status", "message", "requested_at", "decided_by", "decided_at"]
            )
        log_action(
            screenplay,
            "screenplay.access_requested",
            user=user,
            now=now,
            data={"user": user.username},
            **_scope(screenplay),
        )
    return row


#: The writer's answers, and the statuses each may replace.
ACCESS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AccessStatus.GRANTED: (AccessStatus.REQUESTED, AccessStatus.REFUSED, AccessStatus.REVOKED),
    AccessStatus.REFUSED: (AccessStatus.REQUESTED,),
    AccessStatus.REVOKED: (AccessStatus.GRANTED,),
}


def access_decide(
    *, row: CollaboratorAccess, user: Any, decision: str, now: datetime | None = None
) -> CollaboratorAccess:
    """The writer grants, refuses or revokes a reader's access (a repeated click is a no-op)."""
    now = now or timezone.now()
    screenplay = row.screenplay
    if not access.is_writer(user, screenplay):
        raise NotAllowed("writer_only", _("Only the writer decides who may post revisions."))
    if decision not in ACCESS_TRANSITIONS:
        raise ServiceError("invalid_decision", _("Choose grant, refuse or revoke."))
    if row.status == decision:
        return row
    changed = CollaboratorAccess.objects.filter(
        pk=row.pk, status__in=ACCESS_TRANSITIONS[decision]
    ).update(status=decision, decided_by=user, decided_at=now)
    row.refresh_from_db()
    if not changed:
        if row.status == decision:
            return row
        raise Conflict(
            "invalid_transition",
            _("Access that is “%(s)s” cannot be changed that way.")
            % {"s": AccessStatus(row.status).label},
        )
    log_action(
        screenplay,
        f"screenplay.access_{decision}",
        user=user,
        now=now,
        data={"user": row.user.username},
        **_scope(screenplay),
    )
    return row


# --- comments ---------------------------------------------------------------------------------


def comment_add(
    *,
    version: ScriptVersion,
    user: Any,
    element_index: int,
    body: str,
    now: datetime | None = None,
) -> ElementComment:
    """A review comment on one element of a version, by anyone signed in who sees the script."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed("sign_in", _("Sign in to comment."))
    if not access.can_view_screenplay(user, version.screenplay):
        raise NotAllowed("not_visible", _("You cannot see this screenplay."))
    body = body.strip()
    if not body:
        raise ServiceError("body_required", _("Write a comment first."))
    count = sum(1 for item in version.elements if item.get("type") != ElementType.TITLE_PAGE)
    if not 0 <= element_index < count:
        raise ServiceError("unknown_element", _("Choose a line of the script to comment on."))
    body = body[:4000]
    with transaction.atomic():
        # Serialise comments on this version: a double click or a retry posts the comment once.
        ScriptVersion.objects.select_for_update().filter(pk=version.pk).values_list("pk").first()
        same = ElementComment.objects.filter(
            version=version,
            element_index=element_index,
            author=user,
            body=body,
            from_note=False,
            hidden_at__isnull=True,
        ).first()
        if same is not None:
            return same
        comment = ElementComment.objects.create(
            version=version,
            element_index=element_index,
            author=user,
            body=body,
            created_at=now,
        )
        log_action(
            comment,
            "screenplay.commented",
            user=user,
            now=now,
            data={"version": version.number, "element": element_index},
            **_scope(version.screenplay),
        )
    return comment


# --- test movies ------------------------------------------------------------------------------


def test_movie_declare(
    *, entry: Entry, version: ScriptVersion, user: Any, now: datetime | None = None
) -> TestMovie:
    """Declare a film entry a test movie of a script version (its author or the team).

    The version must be one the person sees, of a screenplay in the same organisation's
    campaigns. Declaring again points the movie at the new version.
    """
    now = now or timezone.now()
    from crowdstudio.accounts.permissions import Capability, has_capability

    org_id = entry.campaign.organisation_id
    is_author = getattr(user, "is_authenticated", False) and entry.author_id == user.pk
    if not (is_author or has_capability(user, org_id, Capability.VIEW_BACKOFFICE)):
        raise NotAllowed("not_yours", _("Only the entry's author or the team can do this."))
    if Screenplay.objects.filter(entry=entry).exists():
        raise ServiceError("script_entry", _("A screenplay cannot be its own test movie."))
    if not entry.assets.filter(kind="video").exists():
        raise ServiceError("not_a_film", _("Only an entry with a video can be a test movie."))
    screenplay = version.screenplay
    if not access.can_view_screenplay(user, screenplay):
        raise NotAllowed("not_visible", _("You cannot see this screenplay."))
    if screenplay.campaign is None or screenplay.campaign.organisation_id != org_id:
        raise ServiceError(
            "other_organisation",
            _("Choose a screenplay from this organisation's script contests."),
        )
    with transaction.atomic():
        movie = TestMovie.objects.select_for_update().filter(entry=entry).first()
        if movie is not None and movie.version_id == version.pk:
            return movie
        if movie is None:
            try:
                with transaction.atomic():
                    movie = TestMovie.objects.create(
                        entry=entry, version=version, declared_by=user, created_at=now
                    )
            except IntegrityError:
                movie = TestMovie.objects.get(entry=entry)
                if movie.version_id == version.pk:
                    return movie
        if movie.version_id != version.pk:
            movie.version = version
            movie.declared_by = user
            movie.created_at = now
            movie.save(update_fields=["version", "declared_by", "created_at"])
        log_action(
            entry,
            "screenplay.test_movie_declared",
            user=user,
            now=now,
            data={"screenplay": screenplay.pk, "version": version.number},
            organisation_id=org_id,
            campaign_id=entry.campaign_id,
        )
    return movie
