"""A writer submits a Fountain screenplay; once approved, a reader asks to revise it, the writer
grants access, the reader posts a revision and the diff shows the changed words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from crowdstudio.entries.services import entry_moderate
from crowdstudio.screenplays.models import Screenplay

from .test_accessibility import serious_violations
from .test_entry_flow import PASSWORD, Watch, log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SCRIPT = """Title: The Lighthouse
Author: Erin Example

INT. LIGHTHOUSE - NIGHT

The lamp turns slowly. [[Make this shot longer?]]

MARA
(whispering)
Someone is out there.

TOM
Nobody comes here in winter.
"""


@pytest.fixture
def script_contest(personas, org):
    from tests.screenplays.conftest import make_script_campaign

    return make_script_campaign(personas, org)


def test_a_screenplay_is_submitted_read_revised_with_permission_and_compared(
    live_server: Any,
    page: Page,
    browser: Browser,
    script_contest: Any,
    personas: dict[str, Any],
    make_user: Any,
) -> None:
    base = live_server.url
    watch = Watch(page)
    reader = make_user("reader")

    # The writer submits a Fountain file from the contest page.
    log_in(page, base, personas["entrant"].username, PASSWORD)
    page.goto(f"{base}/c/{script_contest.slug}/")
    page.get_by_role("button", name="Submit a screenplay").click()
    page.get_by_label("Title").fill("The Lighthouse")
    page.get_by_label("Screenplay file").set_input_files(
        {"name": "lighthouse.fountain", "mimeType": "text/plain", "buffer": SCRIPT.encode()}
    )
    page.get_by_label("I have read and accept the terms").check()
    page.get_by_role("button", name="Send my screenplay").click()
    expect(page).to_have_url(re.compile(r"/s/\d+/$"))
    expect(page.get_by_role("status").first).to_be_visible()
    screenplay = Screenplay.objects.get()

    # A moderator approves it (done here through the service).
    entry_moderate(entry=screenplay.entry, user=personas["moderator"], decision="approved")
    log_out(page)

    # A reader sees the formatted page and the note as a comment, and asks for access.
    log_in(page, base, reader.username, PASSWORD)
    page.goto(f"{base}/s/{screenplay.pk}/")
    reader_section = page.locator("#reader")
    expect(reader_section).to_contain_text("INT. LIGHTHOUSE - NIGHT")
    expect(reader_section).to_contain_text("Someone is out there.")
    expect(page.locator("#comments")).to_contain_text("Make this shot longer?")
    assert serious_violations(page) == []
    page.get_by_label("Ask the writer for permission to post revisions").fill("I love it!")
    page.get_by_role("button", name="Request access").click()
    expect(page.get_by_text("Your request is sent to the writer.")).to_be_visible()
    log_out(page)

    # The writer grants it.
    log_in(page, base, personas["entrant"].username, PASSWORD)
    page.goto(f"{base}/s/{screenplay.pk}/")
    page.get_by_role("button", name="Grant reader").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    log_out(page)

    # The reader posts a revision of version 1.
    log_in(page, base, reader.username, PASSWORD)
    page.goto(f"{base}/s/{screenplay.pk}/")
    page.get_by_role("button", name="Post a revision of version 1").click()
    text = page.get_by_label("Revised screenplay (Fountain)")
    text.fill(text.input_value().replace("Nobody comes here", "Nobody ever comes here"))
    page.get_by_label("What did you change?").fill("Stronger line for Tom")
    page.get_by_role("button", name="Post the revision").click()
    expect(page).to_have_url(re.compile(rf"/s/{screenplay.pk}/v/2/$"))

    # The diff page shows the changed words.
    page.goto(f"{base}/s/{screenplay.pk}/diff/?a=1&b=2")
    expect(page.get_by_role("heading", name="Version 1 → version 2")).to_be_visible()
    expect(page.get_by_text("ever", exact=True).first).to_be_visible()
    assert serious_violations(page) == []
    watch.assert_clean()
