from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.voting import services
from crowdstudio.voting.models import Ballot, FlagKind, Tally, Vote, VoteFlag
from crowdstudio.voting.origin import Origin

pytestmark = pytest.mark.django_db


def entry_url(entry) -> str:
    return reverse("entry", kwargs={"pk": entry.pk})


def vote_url(entry) -> str:
    return reverse("vote_submit", kwargs={"pk": entry.pk})


def test_the_entry_page_offers_an_up_vote_that_works_without_javascript(
    client, voting_round, entries, fans
):
    rnd = voting_round("upvote")
    client.force_login(fans[0])
    page = client.get(entry_url(entries[0])).content.decode()
    assert 'id="vote"' in page and 'value="withdraw"' not in page
    response = client.post(vote_url(entries[0]), {"round": rnd.pk, "action": "vote"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(entry_url(entries[0]) + "#vote")
    text = response.content.decode()
    assert "Thank you, your vote is in." in text
    assert "You up-voted this entry." in text
    assert Tally.objects.get(entry=entries[0]).counted_count == 1


def test_an_htmx_vote_swaps_the_panel_and_a_double_click_counts_once(
    client, voting_round, entries, fans
):
    rnd = voting_round("upvote")
    client.force_login(fans[0])
    for _ in range(2):
        response = client.post(
            vote_url(entries[0]),
            {"round": rnd.pk, "action": "vote"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="vote"')
    assert "You up-voted this entry." in body
    assert Vote.objects.count() == 1
    response = client.post(
        vote_url(entries[0]),
        {"round": rnd.pk, "action": "withdraw"},
        headers={"HX-Request": "true"},
    )
    assert "Your vote was taken back." in response.content.decode()
    assert Tally.objects.get(entry=entries[0]).counted_count == 0


def test_the_star_panel_shows_five_radio_buttons_and_keeps_the_choice(
    client, voting_round, entries, fans
):
    rnd = voting_round("stars")
    client.force_login(fans[0])
    page = client.get(entry_url(entries[0])).content.decode()
    assert page.count('type="radio" name="value"') == 5
    client.post(vote_url(entries[0]), {"round": rnd.pk, "value": "4"})
    page = client.get(entry_url(entries[0])).content.decode()
    assert 'value="4" checked' in page
    assert Ballot.objects.get().value == 4


def test_the_budget_panel_shows_the_votes_left(client, voting_round, entries, fans):
    rnd = voting_round("budget", budget=5)
    client.force_login(fans[0])
    client.post(vote_url(entries[0]), {"round": rnd.pk, "value": "3"})
    page = client.get(entry_url(entries[1])).content.decode()
    assert "You have 2 votes left in this round." in page
    response = client.post(vote_url(entries[1]), {"round": rnd.pk, "value": "3"}, follow=True)
    assert "You have no votes left in this round." in response.content.decode()


def test_the_panel_explains_why_someone_cannot_vote(client, voting_round, entries, personas, fans):
    voting_round("upvote")
    assert "Sign in to vote." in client.get(entry_url(entries[0])).content.decode()
    client.force_login(personas["entrant"])  # erin made entries[0]
    assert "This is your entry." in client.get(entry_url(entries[0])).content.decode()
    client.force_login(personas["producer"])
    assert "organising team cannot vote" in client.get(entry_url(entries[0])).content.decode()


def test_the_panel_says_when_voting_has_closed(client, voting_round, entries, fans):
    now = timezone.now()
    rnd = voting_round("upvote", voting_closes_at=now - timedelta(minutes=1))
    client.force_login(fans[0])
    assert "Voting has closed." in client.get(entry_url(entries[0])).content.decode()
    response = client.post(vote_url(entries[0]), {"round": rnd.pk}, follow=True)
    assert "Voting has closed." in response.content.decode()
    assert not Vote.objects.exists()


def test_a_rate_limited_vote_is_a_message_and_counts_nothing(
    client, voting_round, entries, fans, settings
):
    settings.CROWDSTUDIO_VOTE_RATE_ACCOUNT = (1, 3600)
    rnd = voting_round("upvote")
    client.force_login(fans[0])
    client.post(vote_url(entries[0]), {"round": rnd.pk})
    response = client.post(vote_url(entries[1]), {"round": rnd.pk}, follow=True)
    assert "Too many votes in a short time." in response.content.decode()
    assert Vote.objects.count() == 1


def test_a_round_of_another_campaign_is_not_found(client, voting_round, entries, fans):
    voting_round("upvote")
    client.force_login(fans[0])
    assert client.post(vote_url(entries[0]), {"round": 999999}).status_code == 404
    assert client.post(vote_url(entries[0]), {"round": "x"}).status_code == 404


def test_the_leaderboard_shows_counted_figures_and_staff_also_see_raw_ones(
    client, voting_round, entries, fans, personas
):
    rnd = voting_round("upvote")
    for fan in fans[:3]:
        services.vote_cast(round=rnd, entry=entries[1], user=fan)
    services.vote_cast(round=rnd, entry=entries[0], user=fans[3])
    ballot = Ballot.objects.get(voter=fans[0])
    services.ballot_discount(ballot=ballot, user=personas["moderator"], reason="Bot")
    url = reverse("round_leaderboard", kwargs={"slug": rnd.campaign.slug, "number": 1})
    public = client.get(url).content.decode()
    assert public.index("Entry 1") < public.index("Entry 0")
    assert "Raw votes" not in public
    client.force_login(personas["moderator"])
    staff = client.get(url).content.decode()
    assert "Raw votes" in staff and "Vote integrity" in staff


def test_the_campaign_page_links_the_leaderboard_and_the_studio_links_integrity(
    client, voting_round, personas
):
    rnd = voting_round("upvote")
    url = reverse("campaign", kwargs={"slug": rnd.campaign.slug})
    leaderboard = reverse("round_leaderboard", kwargs={"slug": rnd.campaign.slug, "number": 1})
    integrity = reverse("vote_integrity", kwargs={"slug": rnd.campaign.slug, "number": 1})
    page = client.get(url).content.decode()
    assert leaderboard in page and integrity not in page
    client.force_login(personas["moderator"])
    assert integrity in client.get(url).content.decode()


def test_a_moderator_discounts_and_restores_a_flagged_vote_with_a_reason(
    client, voting_round, entries, fans, personas
):
    rnd = voting_round("upvote")
    result = services.vote_cast(
        round=rnd, entry=entries[0], user=fans[0], origin=Origin("farm", "bot")
    )
    vote = Vote.objects.get()
    VoteFlag.objects.create(
        vote=vote, round=rnd, kind=FlagKind.SHARED_NETWORK, detail={}, created_at=timezone.now()
    )
    client.force_login(personas["moderator"])
    page_url = reverse("vote_integrity", kwargs={"slug": rnd.campaign.slug, "number": 1})
    page = client.get(page_url).content.decode()
    assert fans[0].username in page and "Accounts sharing a network" in page
    discount_url = reverse(
        "vote_discount",
        kwargs={"slug": rnd.campaign.slug, "number": 1, "ballot_id": result.ballot.pk},
    )
    response = client.post(discount_url, {"action": "discount", "reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode()
    assert Tally.objects.get().counted_count == 1
    client.post(discount_url, {"action": "discount", "reason": "Vote farm"})
    assert Tally.objects.get().counted_count == 0
    assert "Vote farm" in client.get(page_url).content.decode()
    client.post(discount_url, {"action": "restore", "reason": "Checked: a school class"})
    assert Tally.objects.get().counted_count == 1
    assert AuditEvent.objects.filter(action__startswith="vote.").count() == 2


def test_a_moderator_can_queue_a_scan_now(
    client, voting_round, personas, django_capture_on_commit_callbacks, run_worker
):
    rnd = voting_round("upvote")
    client.force_login(personas["moderator"])
    url = reverse("vote_scan", kwargs={"slug": rnd.campaign.slug, "number": 1})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    run_worker()
    rnd.refresh_from_db()
    from crowdstudio.voting.models import RoundStats

    assert RoundStats.objects.get(round=rnd).scanned_at is not None


def test_how_ranking_works_explains_the_methods(client):
    page = client.get("/how-it-works/ranking/").content.decode()
    for words in ("Wilson", "Bayesian average", "rank points", "Ties", "Eurovision"):
        assert words in page


def test_the_leaderboard_and_integrity_pages_do_not_query_per_row(
    client,
    voting_round,
    entries,
    fans,
    personas,
    approved_entry,
    make_user,
    django_assert_max_num_queries,
):
    rnd = voting_round("upvote")
    field = [*entries, *(approved_entry(make_user(f"m{i}"), title=f"More {i}") for i in range(3))]
    for entry in field:
        for fan in fans[:3]:
            services.vote_cast(round=rnd, entry=entry, user=fan)
    for vote in Vote.objects.all():
        VoteFlag.objects.create(
            vote=vote, round=rnd, kind=FlagKind.SHARED_NETWORK, detail={}, created_at=timezone.now()
        )
    for ballot in Ballot.objects.all()[:3]:
        services.ballot_discount(ballot=ballot, user=personas["moderator"], reason="Farm")
    kwargs = {"slug": rnd.campaign.slug, "number": 1}
    leaderboard = reverse("round_leaderboard", kwargs=kwargs)
    with django_assert_max_num_queries(6):
        assert "More 2" in client.get(leaderboard).content.decode()
    client.force_login(personas["moderator"])
    with django_assert_max_num_queries(13):
        assert "More 2" in client.get(leaderboard).content.decode()
    with django_assert_max_num_queries(14):
        page = client.get(reverse("vote_integrity", kwargs=kwargs)).content.decode()
    assert page.count("Farm") >= 3 and "More 2" in page
