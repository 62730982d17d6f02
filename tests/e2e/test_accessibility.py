"""Automated accessibility checks (axe-core, vendored) on the main pages in headless Chromium.

Serious and critical violations fail the test; axe's own list names the element and the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page

from crowdstudio.campaigns.services import Applicant, current_terms
from crowdstudio.entries import services
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
