"""From a hashtag to a usable entry, through the real pages and a local fake Mastodon.

The organiser connects the campaign's hashtag on a fake Mastodon server, polls it and sees the
tagged photos imported; a moderator approves them; the organiser sends a rights request, which
the studio posts as a public reply on the network; the creator opens the link, signs in, gets a
one-time code, replies with it from the same account, the next poll sees the reply, and she
accepts the terms on the site. The entry is then usable by the studio and belongs to her.

The network is FakeMastodon on 127.0.0.1 driven by the real Mastodon connector; the worker (the
poll and the intake) runs in the test thread while the browser is idle, as in the other
browser tests (the live server shares the test's in-memory SQLite connection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries import services as entries
from crowdstudio.entries.models import Entry, EntrySource, EntryStatus
from crowdstudio.rights.models import RightsStatus
from crowdstudio.rights.selectors import is_usable, rights_status, usable_entries
from crowdstudio.social import services as social
from crowdstudio.social.models import HashtagSource
from tests.social.fakes import FakeMastodon

from .test_entry_flow import PASSWORD, Watch, field, log_in, log_out, process_queue

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TAG = "summernights"  # the open campaign's hashtag
CREATOR_HANDLE = "lumen"
MINE = "Fireflies over the harbour"
OTHER = "Night swim at the quarry"


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    """A Mastodon server on which two remote authors post photos with the campaign's tag."""
    with FakeMastodon(tag=TAG, posts=0, start=timezone.now() - timedelta(days=1)) as server:
        yield server


@pytest.fixture(autouse=True)
def _fakes_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake serves its media from 127.0.0.1, which production refuses to download from."""
    from crowdstudio.social.connectors import _http

    monkeypatch.setattr(_http, "ALLOW_PRIVATE_ADDRESSES", True)


def poll_in_the_background(page: Page, campaign: Campaign, user: Any, run_worker: Any) -> None:
    """The worker's clock would poll a few minutes later; here the poll is queued at once and
    the worker runs while the browser is idle."""
    page.wait_for_load_state("networkidle")
    source = HashtagSource.objects.get(campaign=campaign)
    assert social.source_poll_now(source=source, user=user)
    run_worker()


def test_an_imported_post_becomes_usable_once_its_creator_proves_the_handle_and_accepts(
    live_server: Any,
    page: Page,
    fake: FakeMastodon,
    open_campaign: Campaign,
    personas: dict[str, Any],
    make_user: Callable[..., Any],
    run_worker: Callable[[], None],
) -> None:
    base = live_server.url
    watch = Watch(page)
    campaign = open_campaign
    owner = personas["owner"]
    original = fake.add_post(text=f"{MINE} #{TAG}", author=CREATOR_HANDLE, media=1)
    fake.add_post(text=f"{OTHER} #{TAG}", author="nightowl", media=1)

    # 1. The organiser connects the hashtag on the Mastodon server from the Hashtags page.
    log_in(page, base, owner.username, PASSWORD)
    page.goto(f"{base}/c/{campaign.slug}/")
    page.get_by_role("complementary", name="Studio tools").get_by_role(
        "link", name="Hashtags"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hashtag sources")
    expect(page.get_by_text("No hashtag is connected to this campaign yet.")).to_be_visible()
    field(page, "Network").select_option("mastodon")
    field(page, "Hashtag").fill(f"#{TAG}")
    field(page, "Mastodon server").fill(fake.base_url)
    field(page, "Access token or app password").fill(fake.token)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("status").first).to_contain_text(f"#{TAG} is connected")
    row = page.get_by_role("row").filter(has_text=f"#{TAG}")
    expect(row).to_contain_text("Mastodon")
    expect(row).to_contain_text("set")  # the token, never shown again
    assert fake.token not in page.content()

    # "Poll now" queues the poll; the worker imports both posts and runs their intake.
    row.get_by_role("button", name="Poll now").click()
    expect(page.get_by_role("status").first).to_contain_text("A poll is queued.")
    process_queue(page, run_worker)
    row = page.get_by_role("row").filter(has_text=f"#{TAG}")
    expect(row.get_by_role("cell").nth(4)).to_have_text("2")  # imported

    page.get_by_role("link", name="Imported posts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported posts")
    mine_row = page.get_by_role("row").filter(has_text=MINE)
    expect(mine_row).to_contain_text(CREATOR_HANDLE)
    expect(mine_row).to_contain_text("Awaiting rights")
    expect(page.get_by_role("row").filter(has_text=OTHER)).to_have_count(1)

    imported = Entry.objects.filter(campaign=campaign, source=EntrySource.MASTODON)
    assert imported.count() == 2
    entry = imported.get(description__contains=MINE)
    assert entry.status == EntryStatus.AWAITING_MODERATION, entry.status
    assert not entry.author.is_active  # the placeholder of the remote account
    assert not is_usable(entry)

    # 2. A moderator approves both imported entries (moderation has its own browser tests).
    page.wait_for_load_state("networkidle")
    for each in imported:
        entries.entry_moderate(entry=each, user=personas["moderator"], decision="approved")
    assert not is_usable(Entry.objects.get(pk=entry.pk))  # approved, but no rights yet

    # 3. The organiser asks the creator for the rights from the campaign's Rights page.
    page.goto(f"{base}/c/{campaign.slug}/")
    page.get_by_role("complementary", name="Studio tools").get_by_role(
        "link", name="Rights", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rights")
    page.get_by_role("checkbox", name=f"Request rights for {entry.title}").check()
    page.get_by_role("button", name="Send rights requests to the ticked entries").click()
    expect(page.get_by_role("status").first).to_contain_text("1 rights request sent.")
    asked = page.get_by_role("row").filter(has=page.get_by_role("link", name=entry.title))
    expect(asked).to_contain_text("Rights requested")
    expect(asked.get_by_role("link", name="reply")).to_be_visible()
    log_out(page)

    # The request is a public reply to her post, with the consent hashtag and her link.
    assert len(fake.replies) == 1
    reply = fake.post(fake.replies[0].index)
    assert reply is not None and reply.in_reply_to == original.index
    assert "#YesCrowdstudio".lower() in reply.text.lower()
    found = re.search(r"/rights/[\w-]+/", reply.text)
    assert found, reply.text
    link = base + found.group(0)

    # 4. The creator opens the link from the reply and signs in with her account on the site.
    creator = make_user("lumen_on_site", display_name="Lumen Ray")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{campaign.title} would like to use your post"
    )
    expect(page.get_by_text("You grant us a licence.")).to_be_visible()  # the terms
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.locator("input[name=login]").fill(creator.username)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role(
        "button", name=re.compile(r"^(sign|log) in$", re.I)
    ).click()
    expect(page).to_have_url(link)

    # Step 1: she gets a one-time code and replies with it from her Mastodon account.
    expect(page.get_by_role("heading", name="Step 1: show that the post is yours")).to_be_visible()
    page.get_by_role("button", name="Get my code").click()
    proof = page.locator("main code")
    expect(proof).to_have_text(re.compile(rf"^#{TAG} CS-[A-Z2-9]{{8}}$"))
    proof_text = proof.inner_text()
    expect(page.get_by_role("button", name="Accept and grant the rights")).to_have_count(0)

    # A reply with the code from someone else's account proves nothing.
    fake.add_post(text=proof_text, author="nightowl", media=0, in_reply_to=original.index)
    poll_in_the_background(page, campaign, owner, run_worker)
    page.reload()
    expect(page.get_by_role("button", name="Get my code")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept and grant the rights")).to_have_count(0)

    # From her own account it does, at the next poll.
    fake.add_post(text=proof_text, author=CREATOR_HANDLE, media=0, in_reply_to=original.index)
    poll_in_the_background(page, campaign, owner, run_worker)
    page.reload()

    # Step 2: she accepts the terms on the site.
    expect(page.get_by_role("heading", name="Step 2: accept the terms")).to_be_visible()
    page.get_by_label("I have read and accept the terms above.").check()
    page.get_by_role("button", name="Accept and grant the rights").click()
    expect(page).to_have_url(f"{base}/e/{entry.pk}/")
    expect(page.get_by_role("status").first).to_contain_text(
        "Thank you! The organisers may now use your entry."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(entry.title)
    expect(page.locator(".rights-panel")).to_contain_text("Rights granted")
    expect(page.get_by_role("main")).to_contain_text(creator.public_name)
    expect(page.get_by_text("Withdraw my consent", exact=True)).to_be_visible()  # hers to withdraw

    # The entry is usable by the studio and now belongs to her account; the other is not.
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert rights_status(entry) == RightsStatus.GRANTED
    assert is_usable(entry)
    assert entry.author_id == creator.pk
    assert list(usable_entries(campaign)) == [entry]
    other = imported.exclude(pk=entry.pk).get()
    assert not is_usable(other) and other.author_id != creator.pk

    # Her request link now says it is answered.
    page.goto(link)
    expect(
        page.get_by_text("This request has been answered: thank you, the rights are granted.")
    ).to_be_visible()
    watch.assert_clean()
