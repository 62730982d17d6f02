"""/api/campaigns/{slug}/entries and /api/entries: submit entries and follow them."""

# No `from __future__ import annotations` here: ninja reads the handlers' annotations at import
# time, and for handlers wrapped by @paginate it resolves them in ninja's module, not this one.

from typing import Annotated
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language, gettext
from ninja import File, Form, Header, Query, Router, Status, UploadedFile
from ninja.errors import AuthenticationError
from ninja.pagination import paginate

from crowdstudio.api.auth import PUBLIC, acting_user
from crowdstudio.api.pagination import BoundedPageNumberPagination
from crowdstudio.api.schemas import EntryFilters, EntryIn, EntryOut, responses
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.services import Applicant
from crowdstudio.entries import selectors, services
from crowdstudio.entries.access import entries_visible_to, get_entry_for_user
from crowdstudio.entries.models import Entry
from crowdstudio.lib.errors import Conflict

router = Router(tags=["entries"])

IdempotencyKey = Annotated[
    UUID | None,
    Header(None, alias="Idempotency-Key", description="A UUID; see Retries above."),
]

SUBMIT_DESCRIPTION = """
Send `multipart/form-data` with the fields below and one or more `files` parts. The entry is
stored at once and its files are checked in the background: poll `GET /api/entries/{id}` until
`status` leaves `received`/`processing`. A file that cannot be used makes the entry `failed`,
with the reason per file in `assets[].error_message` and in `status_message`.

**Retries.** Send an `Idempotency-Key` header (a UUID you make up per entry). Repeating the
request with the same key returns the entry created by the first one, with status 200 instead
of 201, and never creates a second entry. Reusing a key for a different campaign is a 409.
"""


@router.post(
    "/campaigns/{slug}/entries",
    response=responses({201: EntryOut, 200: EntryOut}),
    summary="Submit an entry",
    description=SUBMIT_DESCRIPTION,
)
def entry_create(
    request: HttpRequest,
    slug: str,
    data: Form[EntryIn],
    files: File[list[UploadedFile]],
    idempotency_key: IdempotencyKey = None,
) -> Status[Entry]:
    user = acting_user(request)
    campaign = get_campaign_for_user(user, slug)
    now = timezone.now()
    entry = services.entry_submit(
        campaign=campaign,
        author=user,
        title=data.title,
        description=data.description,
        files=files,
        terms_version_id=data.terms_version_id,
        accept_terms=data.accept_terms,
        applicant=Applicant(date_of_birth=data.date_of_birth, country=data.country, code=data.code),
        submission_key=idempotency_key,
        language=get_language() or "",
        now=now,
    )
    if entry.campaign_id != campaign.pk:
        raise Conflict(
            "idempotency_key_reused",
            gettext("This Idempotency-Key was already used for an entry in another campaign."),
        )
    # A replay returns the entry made earlier, whose creation time is not this request's.
    status = 201 if entry.created_at == now else 200
    return Status(status, selectors.entry_detail(entry.pk) or entry)


@router.get(
    "/entries",
    response=responses({200: list[EntryOut]}),
    auth=PUBLIC,
    summary="List entries you can see",
)
@paginate(BoundedPageNumberPagination, page_size=20)
def entry_list(request: HttpRequest, filters: Query[EntryFilters]) -> QuerySet[Entry]:
    """Anyone sees approved entries of public campaigns; authors also see their own, and an
    organisation's team every entry of its campaigns."""
    user = acting_user(request)
    entries = entries_visible_to(user)
    if filters.mine:
        if not user.is_authenticated:
            raise AuthenticationError()
        entries = entries.filter(author=user)
    if filters.campaign:
        entries = entries.filter(campaign__slug=filters.campaign)
    if filters.status:
        entries = entries.filter(status=filters.status)
    return entries.order_by("-created_at", "-id")


@router.get(
    "/entries/{entry_id}",
    response=responses({200: EntryOut}),
    auth=PUBLIC,
    summary="An entry with its files and their processing status",
)
def entry_detail(request: HttpRequest, entry_id: int) -> Entry:
    return get_entry_for_user(acting_user(request), entry_id)
