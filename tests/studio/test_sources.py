"""Montage candidates come through the rights gate; a withdrawn entry leaves the next plan."""

from __future__ import annotations

from django.utils import timezone

from crowdstudio.entries.models import Asset, Entry, EntryStatus, OriginalFile, Rendition
from crowdstudio.rights import services as rights
from crowdstudio.rights.models import RightsRecord, RightsStatus
from crowdstudio.social.connectors.base import Post
from crowdstudio.social.models import ImportedPost, SocialIdentity
from crowdstudio.studio.montage.plan import BeatGrid, plan_montage
from crowdstudio.studio.montage.sources import montage_candidates

HANDLE = "@fan@social.example"


def add_asset(entry, *, kind="image", width=None, height=None, rendition=(800, 600)):
    """An asset as intake leaves it: ready, with a web rendition."""
    n = Asset.objects.count() + 1
    original = OriginalFile.objects.create(
        sha256=f"{entry.pk}-{n}".ljust(64, "0"), size=1, storage_name=f"o/{n}"
    )
    asset = Asset.objects.create(
        entry=entry,
        original=original,
        original_name=f"{n}.jpg",
        uploaded_by=entry.author,
        uploaded_at=timezone.now(),
        status="ready",
        kind=kind,
        width=width,
        height=height,
    )
    if rendition:
        Rendition.objects.create(
            asset=asset,
            role="web",
            file=f"r/{n}-web.jpg",
            content_type="image/jpeg",
            width=rendition[0],
            height=rendition[1],
        )
    return asset


def imported(campaign, make_user, post_id="100"):
    """An approved entry imported from a Mastodon post, awaiting rights, with its identity."""
    placeholder = make_user(f"ph-{post_id}", is_active=False)
    now = timezone.now()
    entry = Entry.objects.create(
        campaign=campaign,
        round=campaign.rounds.order_by("number").first(),
        author=placeholder,
        title=f"Post {post_id}",
        status=EntryStatus.APPROVED,
        source="mastodon",
        source_url=f"https://social.example/@fan/{post_id}",
        created_at=now,
        moderated_at=now,
    )
    identity = SocialIdentity.objects.create(
        network="mastodon", remote_id="109001", handle=HANDLE, user=placeholder, created_at=now
    )
    ImportedPost.objects.create(
        campaign=campaign,
        network="mastodon",
        post_id=post_id,
        url=entry.source_url,
        author=identity,
        created_at=now,
        outcome="imported",
        entry=entry,
        imported_at=now,
    )
    rights.rights_open_import(
        entry=entry,
        post=Post(
            network="mastodon",
            id=post_id,
            url=entry.source_url,
            author_id="109001",
            author_handle=HANDLE,
            text="#summernights",
            created_at=now,
        ),
    )
    return entry, identity


def beats(duration=30.0):
    times = tuple(0.5 * k for k in range(1, int(duration * 2)))
    return BeatGrid(beats=times, energy=(0.9,) * len(times), duration=duration)


def test_an_approved_upload_is_a_candidate_credited_under_its_authors_public_name(
    approved_entry, personas
):
    erin = personas["entrant"]
    erin.display_name = "Erin B."
    erin.save()
    entry = approved_entry(erin, "Night swim")
    asset = add_asset(entry, width=4000, height=3000)
    [shot] = montage_candidates(entry.campaign)
    assert (shot.entry_id, shot.asset_id, shot.kind) == (entry.pk, asset.pk, "image")
    assert (shot.width, shot.height) == (4000, 3000)
    assert shot.contributor == "Erin B."


def test_the_size_comes_from_a_rendition_when_the_asset_has_none(approved_entry, personas):
    entry = approved_entry(personas["entrant"])
    add_asset(entry, rendition=(1080, 1350))
    [shot] = montage_candidates(entry.campaign)
    assert (shot.width, shot.height) == (1080, 1350)
    assert shot.contributor == "erin"


def test_entries_not_approved_and_assets_not_ready_or_audio_are_not_candidates(
    approved_entry, personas
):
    pending = approved_entry(personas["entrant"])
    Entry.objects.filter(pk=pending.pk).update(status=EntryStatus.AWAITING_MODERATION)
    add_asset(pending)
    entry = approved_entry(personas["entrant"])
    Asset.objects.filter(pk=add_asset(entry).pk).update(status="processing")
    add_asset(entry, kind="audio")
    assert montage_candidates(entry.campaign) == []


def test_a_withdrawn_entry_leaves_the_candidates_the_next_plan_and_its_credits(
    approved_entry, personas, make_user
):
    erin = personas["entrant"]
    fans = [make_user(f"fan{i}", display_name=f"Fan {i}") for i in range(3)]
    mine = approved_entry(erin, "Mine")
    add_asset(mine)
    for fan in fans:
        add_asset(approved_entry(fan))
    campaign = mine.campaign

    before = plan_montage(montage_candidates(campaign), beats(), fps=30, seed=1)
    assert mine.pk in before.entry_ids()
    assert "erin" in before.credits()

    rights.rights_withdraw(entry=mine, user=erin, reason="Changed my mind", confirm=True)

    candidates = montage_candidates(campaign)
    assert mine.pk not in {s.entry_id for s in candidates}
    after = plan_montage(candidates, beats(), fps=30, seed=1)
    assert mine.pk not in after.entry_ids()
    assert "erin" not in after.credits()
    assert "erin" not in after.end_credits.lines
    assert sorted(after.credits()) == ["Fan 0", "Fan 1", "Fan 2"]


def test_an_imported_entry_awaiting_rights_is_not_a_candidate(open_campaign, make_user):
    entry, _ = imported(open_campaign, make_user)
    add_asset(entry)
    assert montage_candidates(open_campaign) == []


def test_a_granted_import_is_credited_under_its_handle_until_its_author_claims_it(
    open_campaign, make_user
):
    entry, identity = imported(open_campaign, make_user)
    add_asset(entry)
    # Granted by a consent reply (the rights tests cover how); here only the outcome matters.
    RightsRecord.objects.filter(entry=entry).update(status=RightsStatus.GRANTED)
    [shot] = montage_candidates(open_campaign)
    assert shot.contributor == HANDLE

    claimer = make_user("fanny", display_name="Fanny F.")
    Entry.objects.filter(pk=entry.pk).update(author=claimer)
    SocialIdentity.objects.filter(pk=identity.pk).update(
        claimed_by=claimer, claimed_at=timezone.now()
    )
    [shot] = montage_candidates(open_campaign)
    assert shot.contributor == "Fanny F."


def store_hash(asset, value: int) -> None:
    from crowdstudio.entries import neardup
    from crowdstudio.entries.models import PerceptualHash

    b0, b1, b2, b3 = neardup.bands(value)
    PerceptualHash.objects.create(
        asset=asset,
        campaign=asset.entry.campaign,
        value=neardup.to_signed64(value),
        band0=b0,
        band1=b1,
        band2=b2,
        band3=b3,
    )


def test_near_duplicates_leave_the_candidates_keeping_the_better_one(
    approved_entry, personas, make_user
):
    from crowdstudio.entries.models import NearDuplicate

    erin, fan = personas["entrant"], make_user("fan9", display_name="Fan 9")
    mine = approved_entry(erin, "Mine")
    small = add_asset(mine, width=800, height=600)
    large = add_asset(mine, width=4000, height=3000)  # same entry: intake does not link them
    store_hash(small, 0xFFFF_0000_FFFF_0000)
    store_hash(large, 0xFFFF_0000_FFFF_0001)
    theirs = approved_entry(fan, "Theirs")
    linked = add_asset(theirs, width=640, height=480)
    other = add_asset(approved_entry(fan, "Other"), width=2000, height=1500)
    NearDuplicate.objects.create(asset=linked, other=large, distance=5)
    NearDuplicate.objects.create(asset=large, other=linked, distance=5)

    shots = montage_candidates(mine.campaign)
    assert [s.asset_id for s in shots] == [large.pk, other.pk]
    assert shots[0].phash == 0xFFFF_0000_FFFF_0001  # unsigned again, for later scoring
    assert shots[0].taken_at == mine.created_at.timestamp()
    everything = montage_candidates(mine.campaign, drop_duplicates=False)
    assert {s.asset_id for s in everything} == {small.pk, large.pk, linked.pk, other.pk}
