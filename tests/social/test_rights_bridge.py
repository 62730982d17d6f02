"""The rights app's calls into the social app (rights/social_bridge.py), against the real
social services: the rights tests replace the bridge with a fake, so it is proven here."""

from __future__ import annotations

import pytest

from crowdstudio.entries.models import Entry
from crowdstudio.rights import social_bridge
from crowdstudio.social import services
from crowdstudio.social.models import SocialIdentity
from tests.social.conftest import NOW

pytestmark = pytest.mark.django_db


def test_claim_moves_the_identitys_entries_to_the_user(source, memory, rights_calls, make_user):
    memory.add()
    memory.add()
    services.source_poll(source=source, now=NOW)
    entry = Entry.objects.first()
    fan = make_user("fan1")

    assert social_bridge.claim(entry=entry, user=fan, now=NOW) is True

    assert set(Entry.objects.values_list("author", flat=True)) == {fan.pk}
    assert SocialIdentity.objects.get().claimed_by == fan


def test_claim_of_an_entry_that_was_not_imported_does_nothing(
    source, approved_entry, personas, make_user
):
    entry = approved_entry(personas["entrant"])
    assert social_bridge.claim(entry=entry, user=make_user("fan1"), now=NOW) is False
    entry.refresh_from_db()
    assert entry.author == personas["entrant"]


def test_refetch_asks_a_connector_of_the_campaign_or_answers_unavailable(
    source, memory, open_campaign
):
    post = memory.add()
    found = social_bridge.refetch(campaign=open_campaign, network="mastodon", post_id=post.id)
    assert found == post
    assert social_bridge.refetch(campaign=open_campaign, network="mastodon", post_id="gone") is None
    assert (
        social_bridge.refetch(campaign=open_campaign, network="bluesky", post_id=post.id)
        is social_bridge.UNAVAILABLE
    )


def test_reply_answers_the_imported_post(source, memory, rights_calls):
    original = memory.add()
    services.source_poll(source=source, now=NOW)
    entry = Entry.objects.get()

    posted = social_bridge.reply(entry=entry, text="May we use it?")

    assert posted is not None and posted.in_reply_to_id == original.id
    assert memory.replies[-1][1] == "May we use it?"
