"""Fixtures of the screenplay tests: an open script contest and screenplays made through the
services, so every test starts from what a real submission creates."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

SCRIPT = """Title: The Lighthouse
Author: Erin Example

INT. LIGHTHOUSE - NIGHT

The lamp turns slowly. [[Make this shot longer?]]

MARA
(whispering)
Someone is out there.

TOM
Nobody comes here in winter.

EXT. CLIFF - DAWN

Waves break on the rocks below.
"""

REVISED = SCRIPT.replace("Nobody comes here in winter.", "Nobody ever comes here in winter.")


class Upload(io.BytesIO):
    """An uploaded file as the services see one (Django's UploadedFile fits the same shape)."""

    def __init__(self, data: bytes, name: str = "script.fountain") -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)
        self.content_type = "text/plain"


def make_script_campaign(personas: dict[str, Any], org: Any, slug: str = "lighthouse") -> Any:
    from crowdstudio.campaigns import services

    owner = personas["owner"]
    campaign = services.campaign_create(
        organisation=org,
        user=owner,
        title="Lighthouse Script Contest",
        kind="script",
        accepted_kinds=["image"],
    )
    now = timezone.now()
    services.round_add(
        campaign=campaign,
        user=owner,
        title="Round 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    services.terms_publish(campaign=campaign, user=owner, body="You keep your rights.")
    services.campaign_transition(campaign=campaign, to_status="open", user=owner)
    campaign.refresh_from_db()
    return campaign


def submit_script(
    campaign: Any,
    writer: Any,
    *,
    text: str = SCRIPT,
    data: bytes | None = None,
    name: str = "lighthouse.fountain",
    collaboration: str = "permission",
    title: str = "The Lighthouse",
    approve_by: Any = None,
    submission_key: Any = None,
) -> Any:
    from crowdstudio.campaigns.services import Applicant, current_terms
    from crowdstudio.entries.services import entry_moderate
    from crowdstudio.screenplays import services

    screenplay = services.screenplay_submit(
        campaign=campaign,
        writer=writer,
        title=title,
        logline="A keeper hears a voice in the storm.",
        upload=Upload(data if data is not None else text.encode(), name),
        collaboration=collaboration,
        terms_version_id=current_terms(campaign).id,
        accept_terms=True,
        applicant=Applicant(),
        submission_key=submission_key,
    )
    if approve_by is not None:
        entry_moderate(entry=screenplay.entry, user=approve_by, decision="approved")
        screenplay.entry.refresh_from_db()
    return screenplay


@pytest.fixture
def script_campaign(personas, org):
    return make_script_campaign(personas, org)


@pytest.fixture
def screenplay(script_campaign, personas):
    """Erin's approved screenplay (collaboration: by permission)."""
    return submit_script(script_campaign, personas["entrant"], approve_by=personas["moderator"])


def with_video(entry: Any) -> Any:
    """Give an entry a ready video asset (a film), without running intake."""
    import hashlib

    from django.utils import timezone

    from crowdstudio.entries.models import Asset, AssetStatus, OriginalFile

    digest = hashlib.sha256(f"film-{entry.pk}".encode()).hexdigest()
    original = OriginalFile.objects.create(
        sha256=digest, size=1, storage_name=digest, detected_type="video/mp4"
    )
    Asset.objects.create(
        entry=entry,
        original=original,
        original_name="film.mp4",
        uploaded_by=entry.author,
        uploaded_at=timezone.now(),
        status=AssetStatus.READY,
        kind="video",
        mime="video/mp4",
    )
    return entry
