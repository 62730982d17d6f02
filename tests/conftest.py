"""Shared fixtures: isolated storage folders, personas and a campaign that is open for entries.

Personas (CONVENTIONS §12): alice owns the organisation, peter produces, mona moderates,
jules judges, erin is an entrant from the crowd, and oscar belongs to another organisation.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone


@pytest.fixture(autouse=True)
def _isolated_storage(settings, tmp_path: Path):
    # A fast hasher: the default one costs ~0.4 s per user, which is most of a test's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path / "media"
    originals = tmp_path / "originals"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": "/media/"},
        },
        "originals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(originals), "base_url": None},
        },
        "works": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "works"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.files.storage import storages

    storages._storages = {}
    # Configured storage objects are cached per alias; reset so each test gets its folders.
    yield
    storages._storages = {}


@pytest.fixture
def run_worker():
    """Run every queued background task in a real database worker, then return."""

    def run() -> None:
        call_command("worker", batch=True)

    return run


def _user(django_user_model, username: str, **extra):
    return django_user_model.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery",
        **extra,
    )


@pytest.fixture
def org(db):
    from crowdstudio.accounts.models import Organisation

    return Organisation.objects.create(name="Northern Lights Records", slug="northern-lights")


@pytest.fixture
def other_org(db):
    from crowdstudio.accounts.models import Organisation

    return Organisation.objects.create(name="Elsewhere Films", slug="elsewhere")


@pytest.fixture
def personas(db, django_user_model, org, other_org):
    from crowdstudio.accounts.models import Membership, Role

    people = {
        "owner": _user(django_user_model, "alice"),
        "producer": _user(django_user_model, "peter"),
        "moderator": _user(django_user_model, "mona"),
        "judge": _user(django_user_model, "jules"),
        "entrant": _user(django_user_model, "erin"),
        "outsider": _user(django_user_model, "oscar"),
    }
    for key, role in [
        ("owner", Role.OWNER),
        ("producer", Role.PRODUCER),
        ("moderator", Role.MODERATOR),
        ("judge", Role.JUDGE),
    ]:
        Membership.objects.create(organisation=org, user=people[key], role=role)
    Membership.objects.create(organisation=other_org, user=people["outsider"], role=Role.OWNER)
    return people


@pytest.fixture
def open_campaign(personas, org):
    """A photo/video/audio call with one round open now, terms v1 and a cash prize."""
    from decimal import Decimal

    from crowdstudio.campaigns import services

    owner = personas["owner"]
    campaign = services.campaign_create(
        organisation=org,
        user=owner,
        title="Summer Nights Video",
        kind="music_video",
        brief="Send us **your** summer night.",
        hashtags="#summernights",
        accepted_kinds=["image", "video", "audio"],
        max_file_mb=20,
    )
    now = timezone.now()
    rnd = services.round_add(
        campaign=campaign,
        user=owner,
        title="Round 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    services.prize_add(
        round=rnd,
        user=owner,
        rank=1,
        title="Winner",
        kind="cash",
        amount=Decimal("500.00"),
        currency="EUR",
    )
    services.terms_publish(campaign=campaign, user=owner, body="You grant us a licence.")
    services.campaign_transition(campaign=campaign, to_status="open", user=owner)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def draft_campaign(personas, org):
    from crowdstudio.campaigns import services

    return services.campaign_create(
        organisation=org,
        user=personas["owner"],
        title="Secret Script Contest",
        kind="script",
        accepted_kinds=["image"],
    )


@pytest.fixture
def make_user(db, django_user_model):
    """A member of the crowd with no role anywhere: make_user("fan1", date_joined=...)."""

    def make(username: str, **extra):
        return _user(django_user_model, username, **extra)

    return make


@pytest.fixture
def approved_entry(open_campaign):
    """An approved entry in the open campaign's first round, made directly (no files, no worker).

    approved_entry(author, title="…", created_at=…) — for contest tests that need many entries
    quickly; tests of intake itself submit real files instead.
    """
    from crowdstudio.campaigns.services import current_terms
    from crowdstudio.entries.models import Entry, EntryStatus

    def make(author, title: str = "An entry", *, campaign=None, round=None, created_at=None):
        campaign = campaign or open_campaign
        now = timezone.now()
        return Entry.objects.create(
            campaign=campaign,
            round=round or campaign.rounds.order_by("number").first(),
            author=author,
            title=title,
            status=EntryStatus.APPROVED,
            terms_version=current_terms(campaign),
            terms_accepted_at=now,
            created_at=created_at or now,
            moderated_at=now,
        )

    return make
