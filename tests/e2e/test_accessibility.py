"""Automated accessibility checks (axe-core, vendored) on the main pages in headless Chromium.

Serious and critical violations fail the test; axe's own list names the element and the rule.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from crowdstudio.awards.services import award_confirm
from crowdstudio.campaigns.models import Round
from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.community import services as community
from crowdstudio.entries import services
from crowdstudio.judging import services as judging
from crowdstudio.voting import services as voting
from tests.entries.samples import jpeg_bytes

from .test_entry_flow import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def world(open_campaign, personas, run_worker, transactional_db):
    terms = current_terms(open_campaign)
    entry = services.entry_submit(
        campaign=open_campaign,
        author=personas["entrant"],
        title="Balcony moon",
        description="",
        files=[SimpleUploadedFile("moon.jpg", jpeg_bytes(3, (640, 480)), "image/jpeg")],
        terms_version_id=terms.id,
        accept_terms=True,
        applicant=Applicant(),
    )
    for asset in entry.assets.all():
        services.intake_process_asset(asset_id=asset.pk)
    return {"campaign": open_campaign, "entry": entry}


def check(page: Page, url: str, problems: dict[str, Any]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    found = serious_violations(page)
    if found:
        problems[url] = found


def test_public_pages_have_no_serious_accessibility_problems(page, live_server, world):
    base = live_server.url
    problems: dict[str, Any] = {}
    for path in [
        "/",
        f"/c/{world['campaign'].slug}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/how-it-works/privacy/",
    ]:
        check(page, base + path, problems)
    assert problems == {}


def test_entrant_and_moderator_pages_have_no_serious_accessibility_problems(
    page, live_server, world
):
    base = live_server.url
    slug, entry = world["campaign"].slug, world["entry"]
    problems: dict[str, Any] = {}
    log_in(page, base, "erin", PASSWORD)
    for path in [f"/c/{slug}/enter/", f"/e/{entry.pk}/", "/me/entries/", "/me/tokens/"]:
        check(page, base + path, problems)
    page.get_by_role("button", name="Log out").click()
    log_in(page, base, "mona", PASSWORD)
    for path in [
        "/studio/",
        f"/c/{slug}/moderation/",
        f"/moderation/{entry.pk}/",
        f"/c/{slug}/audit/",
    ]:
        check(page, base + path, problems)
    assert problems == {}


@pytest.fixture
def contest(world, personas, make_user, approved_entry):
    """The world's round as a contest: up-votes, a jury (jules) with a rubric, a second entry,
    and a fan's review and vote on erin's entry (so the pages show real content)."""
    campaign, owner = world["campaign"], personas["owner"]
    world["entry"].refresh_from_db()  # the intake has run: awaiting moderation
    entry = services.entry_moderate(
        entry=world["entry"], user=personas["moderator"], decision="approved"
    )
    rnd = campaign.rounds.get(number=1)
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
    judging.jury_member_add(round=rnd, user=owner, member=personas["judge"])
    judging.criterion_add(round=rnd, user=owner, name="Originality", weight=Decimal(2))
    judging.criterion_add(round=rnd, user=owner, name="Craft", weight=Decimal(1))
    other = approved_entry(make_user("noor"), title="Night bus home")
    fan = make_user("fan2")
    community.review_save(
        entry=entry, user=fan, rating=4, advice="The moon is lovely; the horizon is tilted."
    )
    voting.vote_cast(round=rnd, entry=entry, user=fan)
    return {**world, "round": rnd, "other": other}


def test_contest_pages_have_no_serious_accessibility_problems(
    page, live_server, contest, personas, make_user
):
    base = live_server.url
    slug, entry, rnd = contest["campaign"].slug, contest["entry"], contest["round"]
    problems: dict[str, Any] = {}

    # A fan: the entry page with its discussion and vote panel (and the open review form).
    make_user("fan1")
    log_in(page, base, "fan1", PASSWORD)
    check(page, f"{base}/e/{entry.pk}/", problems)
    expect(page.locator("#vote").get_by_role("button", name="Up-vote")).to_be_visible()
    expect(page.locator("#discussion article.review")).to_have_count(1)
    page.locator("#reviews").get_by_text("Write a review").click()
    expect(page.get_by_label("Your advice to the entrant")).to_be_visible()
    found = serious_violations(page)
    if found:
        problems[f"/e/{entry.pk}/ (review form open)"] = found
    check(page, f"{base}/c/{slug}/rounds/{rnd.number}/leaderboard/", problems)
    page.get_by_role("button", name="Log out").click()

    # The entrant's notifications (a review of her entry).
    log_in(page, base, "erin", PASSWORD)
    check(page, f"{base}/me/notifications/", problems)
    expect(page.locator("li.notification").first).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The judge's pages.
    log_in(page, base, "jules", PASSWORD)
    for path in ["/me/judging/", f"/judging/{rnd.pk}/", f"/judging/{rnd.pk}/entries/{entry.pk}/"]:
        check(page, base + path, problems)
    expect(page.get_by_label("Originality (1–10)")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The judge scores both entries; the organiser sees the computed standings.
    page.wait_for_load_state("networkidle")
    criteria = list(rnd.criteria.order_by("position"))
    for scored, values in [(entry, (9, 8)), (contest["other"], (5, 6))]:
        judging.scorecard_save(
            round=rnd,
            judge=personas["judge"],
            entry=scored,
            scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
            comment="Good work.",
            submit=True,
        )
    judging.results_compute(round=rnd, user=personas["owner"])
    log_in(page, base, "alice", PASSWORD)
    manage = f"{base}/c/{slug}/rounds/{rnd.number}/results/manage/"
    check(page, manage, problems)
    expect(page.get_by_role("button", name="Confirm the winner")).to_be_visible()

    # The round closes, the winner is confirmed and the results are published.
    page.wait_for_load_state("networkidle")
    Round.objects.filter(pk=rnd.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    rnd.refresh_from_db()
    award_confirm(prize=rnd.prizes.get(rank=1), entry=entry, user=personas["owner"])
    judging.results_publish(round=rnd, user=personas["owner"])
    check(page, manage, problems)
    check(page, f"{base}/c/{slug}/rounds/{rnd.number}/results/", problems)
    expect(page.get_by_role("heading", name="Winners")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The winner: her awards, the payee form, her scores.
    log_in(page, base, "erin", PASSWORD)
    for path in ["/me/awards/", "/me/payee/", f"/e/{entry.pk}/scores/"]:
        check(page, base + path, problems)
    assert problems == {}
