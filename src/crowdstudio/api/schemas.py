"""Request and response shapes of the JSON API.

Output schemas read straight from model instances (ninja's `from_attributes`); `resolve_*`
methods fill the fields that need a lookup or a decision about the viewer. Input schemas are
validated by pydantic before a handler runs, so a handler only calls one service.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, field_validator, model_validator

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    MediaKind,
    PrizeKind,
)
from crowdstudio.campaigns.services import current_terms
from crowdstudio.entries.models import Asset, Entry, EntryStatus

# --- errors ---------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="Dotted path of the offending input, e.g. `title`.")
    message: str


class ErrorOut(Schema):
    """Every error the API returns, whatever the status code."""

    message: str = Field(description="What went wrong, safe to show to a person.")
    code: str = Field(
        description="Stable machine-readable code, e.g. `not_found`, `forbidden`, `invalid`, "
        "`unauthenticated`, `reason_required`, `invalid_transition`, `server_error`."
    )
    errors: list[FieldErrorOut] | None = Field(
        None, description="Per-field problems; only with code `invalid` (status 422)."
    )


#: The error statuses any operation may answer with; documented on every route.
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 422, 500})


def responses(success: dict[int, Any]) -> dict[Any, Any]:
    """A route's `response=` mapping: its success shapes plus the shared error shape."""
    return {**success, ERROR_STATUSES: ErrorOut}


# --- campaigns ------------------------------------------------------------------------------


class PrizeOut(Schema):
    rank: int
    title: str
    kind: PrizeKind
    amount: Decimal
    currency: str
    description: str


class RoundOut(Schema):
    number: int
    title: str
    opens_at: datetime
    closes_at: datetime
    advance_top_n: int | None
    prizes: list[PrizeOut]

    @staticmethod
    def resolve_prizes(obj: Any) -> list[Any]:
        return list(obj.prizes.all())


class TermsOut(Schema):
    id: int
    version: int
    body: str
    created_at: datetime


class LimitsOut(Schema):
    max_file_mb: int
    max_megapixels: int
    max_duration_seconds: int
    max_files_per_entry: int


class EligibilityOut(Schema):
    """The rules an entrant must meet; codes are never exposed, only whether one is needed."""

    min_age: int | None
    countries: list[str]
    requires_code: bool


class CampaignSummaryOut(Schema):
    slug: str
    title: str
    tagline: str
    kind: CampaignKind
    status: CampaignStatus
    organisation: str = Field(description="The organisation's slug.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_organisation(obj: Campaign) -> str:
        return obj.organisation.slug


class CampaignOut(CampaignSummaryOut):
    brief: str = Field(description="Markdown.")
    rules: str = Field(description="Markdown.")
    hashtags: list[str]
    accepted_kinds: list[MediaKind]
    limits: LimitsOut
    eligibility: EligibilityOut
    rounds: list[RoundOut]
    terms: TermsOut | None = Field(description="The current terms entrants must accept.")

    @staticmethod
    def resolve_limits(obj: Campaign) -> dict[str, int]:
        return {
            "max_file_mb": obj.max_file_mb,
            "max_megapixels": obj.max_megapixels,
            "max_duration_seconds": obj.max_duration_seconds,
            "max_files_per_entry": obj.max_files_per_entry,
        }

    @staticmethod
    def resolve_eligibility(obj: Campaign) -> dict[str, Any]:
        return {
            "min_age": obj.min_age,
            "countries": list(obj.countries),
            "requires_code": obj.requires_code,
        }

    @staticmethod
    def resolve_rounds(obj: Campaign) -> list[Any]:
        return list(obj.rounds.all())

    @staticmethod
    def resolve_terms(obj: Campaign) -> Any:
        return current_terms(obj)


class CampaignFilters(Schema):
    status: CampaignStatus | None = None
    kind: CampaignKind | None = None
    organisation: str | None = Field(None, description="An organisation's slug.")


class _CampaignFields(Schema):
    tagline: str = Field("", max_length=240)
    brief: str = ""
    rules: str = ""
    hashtags: list[str] = Field(default_factory=list)
    accepted_kinds: list[MediaKind] = Field(default_factory=lambda: [MediaKind.IMAGE])
    max_file_mb: int = Field(50, ge=1, le=100_000)
    max_megapixels: int = Field(50, ge=1, le=1000)
    max_duration_seconds: int = Field(300, ge=1, le=6 * 3600)
    max_files_per_entry: int = Field(5, ge=1, le=100)
    min_age: int | None = Field(None, ge=0, le=120)
    countries: list[str] = Field(default_factory=list)
    requires_code: bool = False


class CampaignIn(_CampaignFields):
    organisation: str = Field(description="Slug of the organisation that runs the campaign.")
    title: str = Field(min_length=1, max_length=160)
    kind: CampaignKind
    slug: str = Field(
        "",
        max_length=80,
        pattern=r"^[-a-zA-Z0-9_]*$",
        description="The campaign's address; made from the title when left empty.",
    )


#: Fields that may be sent as null in a PATCH (they are nullable on the model).
_NULLABLE = frozenset({"min_age"})


class CampaignPatch(Schema):
    """Only the fields sent are changed; `null` is accepted only where the model allows it.

    ninja's `PatchDict` would make every field nullable, so a `"title": null` would reach the
    database; this schema keeps the field types and rejects such nulls with a 422 instead.
    """

    title: str | None = Field(None, min_length=1, max_length=160)
    tagline: str | None = Field(None, max_length=240)
    brief: str | None = None
    rules: str | None = None
    kind: CampaignKind | None = None
    hashtags: list[str] | None = None
    accepted_kinds: list[MediaKind] | None = None
    max_file_mb: int | None = Field(None, ge=1, le=100_000)
    max_megapixels: int | None = Field(None, ge=1, le=1000)
    max_duration_seconds: int | None = Field(None, ge=1, le=6 * 3600)
    max_files_per_entry: int | None = Field(None, ge=1, le=100)
    min_age: int | None = Field(None, ge=0, le=120)
    countries: list[str] | None = None
    requires_code: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> CampaignPatch:
        for name in self.model_fields_set:
            if getattr(self, name) is None and name not in _NULLABLE:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class TransitionIn(Schema):
    to: CampaignStatus
    reason: str = Field("", max_length=2000)


class RoundIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    opens_at: AwareDatetime = Field(description="With a UTC offset, e.g. 2025-06-01T00:00:00Z.")
    closes_at: AwareDatetime
    advance_top_n: int | None = Field(None, ge=1)


class PrizeIn(Schema):
    rank: int = Field(ge=1, le=1000)
    title: str = Field(min_length=1, max_length=120)
    kind: PrizeKind
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3)
    description: str = ""


class TermsIn(Schema):
    body: str = Field(min_length=1, description="Markdown.")


# --- entries --------------------------------------------------------------------------------


def _is_private_viewer(entry: Entry, context: Any) -> bool:
    """The author and the organisation's team see file names; the public does not."""
    request = (context or {}).get("request")
    user: Any = getattr(request, "auth", None)
    if user is None or not user.is_authenticated:
        return False
    if entry.author_id == user.pk:
        return True
    return has_capability(user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE)


class RenditionOut(Schema):
    role: str = Field(description="`web`, `thumb`, `poster`, `video` or `audio`.")
    url: str
    content_type: str
    width: int | None
    height: int | None

    @staticmethod
    def resolve_url(obj: Any, context: Any) -> str:
        url = obj.file.url
        request = (context or {}).get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AssetOut(Schema):
    """One file of an entry. The original is never published: only derived renditions are."""

    id: int
    position: int
    original_name: str | None = Field(
        description="The uploaded file's name; only for the author and the organisation's team."
    )
    status: str = Field(description="`pending`, `processing`, `ready` or `failed`.")
    error_code: str = Field(description="Why intake refused the file, e.g. `corrupt`.")
    error_message: str = Field(description="The reason in words, for the entrant.")
    kind: str = Field(description="`image`, `video` or `audio` once processed.")
    mime: str
    width: int | None
    height: int | None
    duration: float | None = Field(description="Seconds, for video and audio.")
    renditions: list[RenditionOut]

    @staticmethod
    def resolve_original_name(obj: Asset, context: Any) -> str | None:
        return obj.original_name if _is_private_viewer(obj.entry, context) else None

    @staticmethod
    def resolve_error_message(obj: Asset) -> str:
        return obj.message if obj.error_code or obj.error_message else ""

    @staticmethod
    def resolve_renditions(obj: Asset) -> list[Any]:
        return list(obj.renditions.all())


class EntryOut(Schema):
    id: int
    campaign: str = Field(description="The campaign's slug.")
    title: str
    description: str
    author: str = Field(description="The author's public name.")
    status: EntryStatus
    status_message: str = Field(
        description="Why the files failed, or the moderator's reason for a rejection."
    )
    created_at: datetime
    updated_at: datetime
    moderated_at: datetime | None
    assets: list[AssetOut]

    @staticmethod
    def resolve_campaign(obj: Entry) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_status_message(obj: Entry, context: Any) -> str:
        return obj.status_message if _is_private_viewer(obj, context) else ""

    @staticmethod
    def resolve_author(obj: Entry) -> str:
        return obj.author.public_name

    @staticmethod
    def resolve_assets(obj: Entry) -> list[Any]:
        return list(obj.assets.all())


class QueueEntryOut(EntryOut):
    flagged: bool = Field(description="An image of it looks like one in another entry.")

    @staticmethod
    def resolve_flagged(obj: Any) -> bool:
        return bool(getattr(obj, "has_near_duplicates", False))


class EntryFilters(Schema):
    campaign: str | None = Field(None, description="A campaign's slug.")
    status: EntryStatus | None = None
    mine: bool = Field(False, description="Only the signed-in person's own entries.")


class EntryIn(Schema):
    """The form fields of a submission; the files travel as one or more `files` parts."""

    title: str = Field(min_length=1, max_length=160)
    description: str = Field("", max_length=5000)
    accept_terms: bool = False
    terms_version_id: int = Field(description="The id of the terms version the entrant read.")
    date_of_birth: date | None = Field(None, description="When the campaign has a minimum age.")
    country: str = Field("", max_length=2, description="ISO code, when the campaign asks.")
    code: str = Field("", max_length=64, description="Invite or proof-of-purchase code.")

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


# --- moderation -----------------------------------------------------------------------------


class QueueFilters(Schema):
    status: EntryStatus | Literal["all"] = Field(
        EntryStatus.AWAITING_MODERATION, description="`all` for every status."
    )
    kind: MediaKind | None = None
    flagged: bool = Field(False, description="Only entries with look-alike images.")
    q: str = Field("", max_length=100, description="Search title and author.")


class RejectIn(Schema):
    reason: str = Field("", max_length=2000, description="Sent to the entrant; required.")


class BulkModerationIn(Schema):
    entry_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=500)
    decision: Literal["approved", "rejected"]
    reason: str = Field("", max_length=2000)


class BulkModerationOut(Schema):
    done: int = Field(description="How many entries now have the decided status.")
    problems: list[str] = Field(description="One line per entry that could not be moderated.")
