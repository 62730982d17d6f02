"""The demo data (`crowdstudio demo`, run by `make run`): every contest feature has something to
look at, and loading it again changes nothing.

One test on purpose: the demo generates and processes a few dozen real photos and a track
(about 20 seconds), so it is loaded once and everything is checked on that one load.
"""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from crowdstudio.accounts.models import User
from crowdstudio.awards.models import PayoutObligation
from crowdstudio.awards.selectors import obligation_blockers, round_awards
from crowdstudio.campaigns.models import Round
from crowdstudio.community.models import Comment, Follow, Notification, Review
from crowdstudio.demo import load_demo
from crowdstudio.judging import selectors as judging
from crowdstudio.judging.models import Scorecard, ScorecardStatus
from crowdstudio.voting.models import Ballot, Tally, VoteFlag

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_demo_has_something_for_every_contest_feature_and_loads_once(settings, client):
    settings.DEBUG = True
    cache.clear()  # vote rate-limit counters from other tests in this process
    out = io.StringIO()
    summary = load_demo(stdout=out)
    assert summary.created
    assert "What to look at" in out.getvalue()
    now = timezone.now()
    judge = User.objects.get(username="judge")
    fan = User.objects.get(username="fan")

    # Summer Nights: an open round with up-votes, a jury part way through and a discussion.
    summer = Round.objects.select_related("campaign").get(campaign__slug="summer-nights")
    assert (summer.voting_scheme, summer.jury_weight) == ("upvote", 70)
    assert [seat.user.username for seat in judging.jury(summer)] == ["judge", "producer"]
    assert [c.name for c in judging.rubric(summer)] == [
        "Originality",
        "Craft",
        "Fit to the brief",
    ]
    assert Tally.objects.filter(round=summer, counted_count__gt=0).count() >= 5
    assert not Ballot.objects.filter(entry__author=F("voter")).exists()
    assert not Ballot.objects.filter(voter__memberships__isnull=False).exists()
    scored, assigned = judging.judge_progress(summer, judge)
    assert 0 < scored < assigned
    assert (
        Scorecard.objects.filter(round=summer, judge=judge, status=ScorecardStatus.SUBMITTED)
        .exclude(comment="")
        .count()
        == scored
    )
    assert Scorecard.objects.filter(round=summer, status=ScorecardStatus.DRAFT).exists()
    assert Review.objects.filter(entry__campaign=summer.campaign).count() >= 3
    assert Comment.objects.filter(entry__campaign=summer.campaign, parent__isnull=False).exists()
    assert Follow.objects.filter(user=fan, campaign=summer.campaign).exists()
    assert VoteFlag.objects.filter(round=summer, kind="shared_device").exists()

    # Night Shots: closed in the past, results published, two cash prizes to pay.
    night = Round.objects.select_related("campaign").get(campaign__slug="night-shots")
    assert night.closes_at < now
    assert night.closed_at is not None and night.results_published_at is not None
    published = judging.published_results(night)
    assert published is not None
    standings = judging.standings(published)
    assert len(standings) == 6
    assert [row.entry.author.username for row in standings[:2]] == ["fan", "fan03"]
    assert sorted((a.prize.rank, a.winner.username) for a in round_awards(night)) == [
        (1, "fan"),
        (2, "fan03"),
    ]
    today = timezone.localdate()
    blockers = {
        ob.payee.username: obligation_blockers(ob, today=today)
        for ob in PayoutObligation.objects.filter(campaign=night.campaign)
    }
    assert blockers == {"fan": [], "fan03": ["tax_form_expired"]}
    for winner in ("fan", "fan03"):
        assert EmailAddress.objects.filter(
            user__username=winner, verified=True, primary=True
        ).exists()
    kinds = set(Notification.objects.filter(recipient=fan).values_list("kind", flat=True))
    assert {
        "results_published",
        "round_closed",
        "review_on_my_entry",
        "comment_reply",
        "round_opened",
    } <= kinds

    # The pages the README points at show it.
    discussed = Comment.objects.filter(parent__isnull=False).values_list("entry_id", flat=True)
    pages = [
        (None, reverse("round_leaderboard", args=["summer-nights", 1])),
        ("fan", reverse("entry", args=[discussed[0]])),
        ("judge", reverse("judge_round", args=[summer.pk])),
        (None, reverse("round_results", args=["night-shots", 1])),
        ("judge", reverse("my_judging")),
        ("owner", reverse("results_manage", args=["night-shots", 1])),
        ("owner", reverse("payouts_campaign", args=["night-shots"])),
        ("fan", reverse("notifications")),
        ("fan", reverse("my_awards")),
        ("fan03", reverse("my_awards")),
    ]
    for username, url in pages:
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200, (username, url)

    # A second run finds the demo and changes nothing.
    before = _row_counts()
    again = load_demo(stdout=io.StringIO())
    assert not again.created
    assert _row_counts() == before
