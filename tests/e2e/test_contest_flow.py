"""A contest from the first review to the winner's payee details, through the real pages.

A fan reviews and up-votes an entry, the judge scores every entry, the round closes, the
organiser confirms the winner and publishes the results, and the winner sees her award, gives
her payee details and reads the judge's comment with the judge anonymised.

Setup (round rules, jury, rubric, entries) and the round's clock run in Python; everything
people do runs in the browser. The test thread touches the database only while the browser is
idle: with the in-memory SQLite test database the live server shares the test's connection.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from crowdstudio.awards.models import PayeeDetails
from crowdstudio.campaigns.models import Campaign, Round
from crowdstudio.judging import services as judging
from crowdstudio.judging.models import Scorecard, ScorecardStatus

from .test_entry_flow import PASSWORD, Watch, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

WINNER = "Fireflies over the lake"
ADVICE = "Lovely light on the water; a slower cut in the middle would let it breathe."
JUDGE_COMMENT = "The strongest sense of a summer night in the round."
TAXPAYER_ID = "DE-12345678901"

#: What the judge gives each entry: (originality, craft) on 1–10, weighted 2 : 1.
SCORES = {
    WINNER: (9, 8),
    "Night bus home": (6, 5),
    "Porch lights": (3, 4),
}


@pytest.fixture
def contest(
    open_campaign: Campaign, personas: dict[str, Any], make_user: Any, approved_entry: Any
) -> dict[str, Any]:
    """The open round as a 70/30 jury/audience contest with up-votes, a jury of one (jules)
    with a two-criterion rubric, and three approved entries; erin's should win."""
    owner, judge = personas["owner"], personas["judge"]
    rnd = open_campaign.rounds.get(number=1)
    judging.round_configure(
        round=rnd,
        user=owner,
        voting_scheme="upvote",
        vote_budget=None,
        voting_opens_at=None,
        voting_closes_at=None,
        blind_judging=False,
        normalisation="robust",
        jury_weight=70,
        results_scale="linear",
        tie_breaks=["jury", "audience", "submitted"],
    )
    judging.jury_member_add(round=rnd, user=owner, member=judge)
    judging.criterion_add(round=rnd, user=owner, name="Originality", weight=Decimal(2))
    judging.criterion_add(round=rnd, user=owner, name="Craft", weight=Decimal(1))
    entries = {
        WINNER: approved_entry(personas["entrant"], title=WINNER),
        "Night bus home": approved_entry(make_user("noor"), title="Night bus home"),
        "Porch lights": approved_entry(make_user("pavel"), title="Porch lights"),
    }
    return {
        "campaign": open_campaign,
        "round": rnd,
        "entries": entries,
        "fan": make_user("fan1", display_name="Fenna the fan"),
    }


def nav(page: Page) -> Locator:
    """The site's main navigation (pages have breadcrumbs with the same link names)."""
    return page.get_by_role("navigation", name="Main")


def close_the_round(page: Page, rnd: Round) -> None:
    """Time is up: the round closed a minute ago and the worker's clock ticks once."""
    page.wait_for_load_state("networkidle")
    now = timezone.now()
    Round.objects.filter(pk=rnd.pk).update(closes_at=now - timedelta(minutes=1))
    assert judging.rounds_tick(now=now) == {"closed": 1}


def test_a_fan_votes_a_judge_scores_and_the_winner_gives_payee_details(
    live_server: Any, page: Page, contest: dict[str, Any], personas: dict[str, Any]
) -> None:
    base = live_server.url
    watch = Watch(page)
    campaign, rnd, entries = contest["campaign"], contest["round"], contest["entries"]
    winner = entries[WINNER]
    erin = personas["entrant"]

    # 1. A fan opens erin's entry, reviews it and up-votes it.
    log_in(page, base, contest["fan"].username, PASSWORD)
    page.goto(f"{base}/e/{winner.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WINNER)
    reviews = page.locator("#reviews")
    expect(reviews).to_contain_text("No reviews yet.")
    reviews.get_by_text("Write a review").click()
    reviews.get_by_role("radio", name="5").check()
    reviews.get_by_label("Your advice to the entrant").fill(ADVICE)
    reviews.get_by_role("button", name="Publish review").click()
    review = page.locator("#reviews article.review")
    expect(review).to_have_count(1)
    expect(review).to_contain_text("Fenna the fan")
    expect(review).to_contain_text(ADVICE)
    expect(review.get_by_label("5 of 5")).to_be_visible()
    expect(page.locator("#reviews")).to_contain_text("Average 5.0 of 5 from one review")

    vote = page.locator("#vote")
    up_vote = vote.get_by_role("button", name=re.compile(r"^\W*Up-vote$"))  # "👍 Up-vote"
    up_vote.click()
    expect(vote.get_by_role("status")).to_have_text("Thank you, your vote is in.")
    expect(vote).to_contain_text("You up-voted this entry.")
    expect(vote.get_by_role("button", name="Take back my up-vote")).to_be_visible()
    expect(up_vote).to_have_count(0)

    # The leaderboard counts the vote.
    vote.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audience leaderboard")
    first = page.get_by_role("row").nth(1)
    expect(first.get_by_role("cell").nth(1)).to_contain_text(WINNER)
    expect(first.get_by_role("cell").nth(2)).to_have_text("1")
    log_out(page)

    # 2. The judge scores every entry from "My judging" and sees the progress complete.
    log_in(page, base, personas["judge"].username, PASSWORD)
    nav(page).get_by_role("link", name="My judging").click()
    expect(page.get_by_text("0 of 3 entries scored")).to_be_visible()
    page.get_by_role("link", name=f"{campaign.title} · {rnd.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{campaign.title} · {rnd.title}")
    for title, (originality, craft) in SCORES.items():
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        page.get_by_label("Originality (1–10)").fill(str(originality))
        page.get_by_label("Craft (1–10)").fill(str(craft))
        page.get_by_label("Comment to the entrant").fill(
            JUDGE_COMMENT if title == WINNER else f"Thank you for “{title}”."
        )
        page.get_by_role("button", name="Submit the scorecard").click()
        expect(page.get_by_role("status")).to_contain_text("Your scorecard is submitted.")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
        expect(row).to_contain_text("Submitted")
    expect(page.get_by_text("3 of 3 entries scored")).to_be_visible()
    expect(page.locator("main progress")).to_have_attribute("value", "3")
    nav(page).get_by_role("link", name="My judging").click()
    expect(page.get_by_text("3 of 3 entries scored")).to_be_visible()
    log_out(page)
    submitted = Scorecard.objects.filter(round=rnd, status=ScorecardStatus.SUBMITTED)
    assert submitted.count() == 3

    # 3. The round closes; its results are computed by the clock.
    close_the_round(page, rnd)

    # 4. The organiser recomputes, confirms the winner of the €500 prize and publishes.
    log_in(page, base, personas["owner"].username, PASSWORD)
    page.goto(f"{base}/c/{campaign.slug}/")
    page.get_by_role("complementary", name="Studio tools").get_by_role(
        "link", name="Judging and results"
    ).click()
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results of round 1: {rnd.title}")
    expect(page.get_by_text("Jury 70 %, audience 30 %.")).to_be_visible()
    page.get_by_role("button", name="Recompute the standings").click()
    expect(page.get_by_role("status")).to_contain_text("The standings are computed (3 entries).")
    standings = page.get_by_role("table").first
    top = standings.get_by_role("row").nth(1)
    expect(top.get_by_role("cell").first).to_have_text("1")
    expect(top).to_contain_text(WINNER)
    prize = page.get_by_label("1. Winner")
    expect(prize).to_have_value(str(winner.pk))  # rank 1 is proposed
    prize.select_option(str(winner.pk))
    page.get_by_role("button", name="Confirm the winner").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{WINNER}” wins “Winner”.")
    page.get_by_role("button", name="Publish the results").click()
    expect(page.get_by_role("status").first).to_contain_text("The results are published.")
    page.get_by_role("link", name="Public results page").click()
    expect(page).to_have_url(re.compile(rf"/c/{campaign.slug}/rounds/{rnd.number}/results/$"))
    expect(page.get_by_role("alert")).to_have_count(0)  # no "preview" warning any more
    log_out(page)

    # Anyone finds the results from the campaign page and sees the winner.
    page.goto(f"{base}/c/{campaign.slug}/")
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {rnd.title}")
    winners = page.get_by_role("heading", name="Winners").locator("xpath=following-sibling::ul[1]")
    expect(winners).to_contain_text(f"Winner: {WINNER} — {erin.public_name}")
    public_top = page.get_by_role("row").nth(1)
    expect(public_top.get_by_role("cell").first).to_have_text("1")
    expect(public_top).to_contain_text(WINNER)

    # 5. erin hears about the results, sees her award and gives her payee details.
    log_in(page, base, erin.username, PASSWORD)
    notifications = nav(page).get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notifications.locator(".badge")).to_be_visible()
    notifications.click()
    expect(page.get_by_role("main")).to_contain_text(
        f"The results of {rnd.title} of {campaign.title} are out."
    )
    expect(page.get_by_role("main")).to_contain_text(
        f"Fenna the fan reviewed your entry “{WINNER}” (5 of 5)."
    )

    nav(page).get_by_role("link", name="My awards").click()
    award = page.get_by_role("row").filter(has_text=WINNER)
    expect(award).to_contain_text("Winner")
    expect(award).to_contain_text("€500")
    expect(award).to_contain_text("Waiting for payee details")
    page.get_by_role("button", name="Enter payee details").click()  # a link with role=button
    expect(page.get_by_role("heading", level=1)).to_have_text("Payee details")
    page.get_by_label("Legal name").fill("Erin Example")
    page.get_by_label("Country of tax residence").fill("DE")
    page.get_by_label("Tax form").select_option(label="W-8BEN (individual outside the US)")
    page.get_by_label("Date you signed the form").fill(timezone.localdate().isoformat())
    page.get_by_label("Taxpayer id").fill(TAXPAYER_ID)
    page.get_by_role("button", name="Save payee details").click()
    expect(page.get_by_role("status")).to_contain_text("your payee details are saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("My awards")
    expect(page.get_by_role("main")).to_contain_text("•••• 8901")
    expect(page.get_by_role("main")).not_to_contain_text(TAXPAYER_ID)
    award = page.get_by_role("row").filter(has_text=WINNER)
    expect(award).not_to_contain_text("Waiting for")
    expect(award).to_contain_text("Pending")
    details = PayeeDetails.objects.get(user=erin)
    assert details.country == "DE" and details.tax_form == "w8ben"

    # Her own scores: the judge's comment, signed "Judge 1", never jules's name.
    page.goto(f"{base}/e/{winner.pk}/")
    # A link styled as a button (role="button").
    page.get_by_role("button", name="My scores and the judges' comments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scores for “{WINNER}”")
    card = page.get_by_role("main").locator("article")
    expect(card).to_have_count(1)
    expect(card.locator("header")).to_have_text("Judge 1")
    expect(card).to_contain_text(JUDGE_COMMENT)
    expect(card).to_contain_text("Originality: 9")
    expect(page.get_by_role("main")).to_contain_text("Rank 1 of 3")
    expect(page.get_by_role("main")).not_to_contain_text(personas["judge"].username)

    watch.assert_clean()
