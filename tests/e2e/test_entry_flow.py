"""A new fan enters a photo, a moderator approves it, and anyone sees it in the gallery.

The browser drives the pages; the background intake runs in a real database worker started
from the test thread (the live server and the test share the test database).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, Response, expect

from crowdstudio.campaigns.models import Campaign
from crowdstudio.entries.models import Entry, EntryStatus

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PASSWORD = "correct horse battery"  # the personas' password (tests/conftest.py)


def photo_jpeg() -> bytes:
    img = Image.new("RGB", (800, 600), (25, 35, 80))
    draw = ImageDraw.Draw(img)
    draw.ellipse((300, 150, 500, 350), fill=(250, 220, 120))  # a moon
    draw.rectangle((0, 450, 800, 600), fill=(20, 70, 40))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


class Watch:
    """Everything that would mean "the user saw something broken": server errors and JS errors."""

    def __init__(self, page: Page) -> None:
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def assert_clean(self) -> None:
        assert self.server_errors == []
        assert self.script_errors == []


def field(page: Page, label: str) -> Locator:
    """A form field by its label; allauth's default labels end in a colon ("Password:")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def submit_entry(page: Page, *, title: str, file_name: str, data: bytes) -> None:
    """Fill in and send the entry form that is open in `page`."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Files").set_input_files(
        {"name": file_name, "mimeType": "image/jpeg", "buffer": data}
    )
    page.get_by_label("I have read and accept the terms").check()
    page.get_by_role("button", name="Send my entry").click()
    expect(page).to_have_url(re.compile(r"/e/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Your entry is in")
    expect(page.locator("#entry-status")).to_contain_text("We are checking your files")


def hold_status_polls(page: Page) -> None:
    """Stop the entry page's status polls (htmx, every 2 s) in the browser.

    With the in-memory SQLite test database the live server's threads share the test thread's
    one connection, so a request served while the worker runs in the test thread would run
    inside the worker's transaction. The tests reload the page instead of waiting for a poll.
    """
    page.route(re.compile(r"/e/\d+/status/$"), lambda route: route.abort())


def process_queue(page: Page, run_worker: Callable[[], None]) -> None:
    """Run the queued intake in a real worker while the browser is idle, then reload."""
    page.wait_for_load_state("networkidle")
    run_worker()
    response = page.reload()
    assert response is not None and response.ok, response and response.status


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    # "login" is allauth's field name for "username or email", whatever the label says.
    page.locator("input[name=login]").fill(username)
    field(page, "Password").fill(password)
    page.get_by_role("main").get_by_role(
        "button", name=re.compile(r"^(sign|log) in$", re.I)
    ).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_a_new_fan_enters_a_photo_that_is_approved_and_shown_in_the_gallery(
    live_server: Any,
    page: Page,
    browser: Browser,
    open_campaign: Campaign,
    personas: dict[str, Any],
    run_worker: Callable[[], None],
    tmp_path: Path,
) -> None:
    base = live_server.url
    watch = Watch(page)
    hold_status_polls(page)

    # A visitor finds the open campaign and wants to enter.
    page.goto(base + "/")
    page.get_by_role("link", name=open_campaign.title).click()
    expect(page.get_by_role("heading", level=1, name=open_campaign.title)).to_be_visible()
    page.get_by_role("button", name="Enter", exact=True).click()

    # Not signed in: the login page offers to sign up, and keeps where they were going.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_role("main").get_by_role("link", name=re.compile(r"^sign up$", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/\?next="))
    field(page, "Email").fill("nova@example.org")
    field(page, "Username").fill("nova")
    field(page, "Password").fill("moonlit-rooftop-42")
    field(page, "Password (again)").fill("moonlit-rooftop-42")
    page.get_by_role("main").get_by_role("button", name=re.compile(r"^sign up$", re.I)).click()

    # Back on the entry form, signed in.
    expect(page).to_have_url(re.compile(rf"/c/{open_campaign.slug}/enter/$"))
    submit_entry(page, title="Moon over the rooftops", file_name="moon.jpg", data=photo_jpeg())
    expect(page.locator("#entry-status")).to_contain_text("Received")

    process_queue(page, run_worker)
    expect(page.locator("#entry-status")).to_contain_text("Awaiting moderation")
    entry = Entry.objects.get(title="Moon over the rooftops")
    assert entry.author.username == "nova"
    assert entry.status == EntryStatus.AWAITING_MODERATION

    # The moderator approves it from the campaign's queue.
    log_out(page)
    log_in(page, base, personas["moderator"].username, PASSWORD)
    page.goto(f"{base}/c/{open_campaign.slug}/moderation/")
    page.get_by_role("link", name="Moon over the rooftops").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moon over the rooftops")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("is approved")).to_be_visible()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED
    watch.assert_clean()

    # Anyone, signed in or not, now sees the photo in the gallery.
    visitor = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    gallery = visitor.new_page()
    seen = Watch(gallery)
    gallery.goto(f"{base}/c/{open_campaign.slug}/gallery/")
    image = gallery.get_by_role("img", name="Moon over the rooftops")
    expect(image).to_be_visible()
    src = image.get_attribute("src") or ""
    assert src.startswith("/media/r/"), src
    served = gallery.request.get(base + src)
    assert served.status == 200, f"{src} is not served by the live server ({served.status})"
    assert served.headers["content-type"].startswith("image/")
    image.scroll_into_view_if_needed()
    gallery.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    gallery.screenshot(path=str(tmp_path / "gallery.png"), full_page=True)
    seen.assert_clean()
    visitor.close()


def test_a_damaged_photo_is_explained_on_the_entry_page_without_an_error_page(
    live_server: Any,
    page: Page,
    open_campaign: Campaign,
    personas: dict[str, Any],
    run_worker: Callable[[], None],
) -> None:
    base = live_server.url
    watch = Watch(page)
    hold_status_polls(page)
    log_in(page, base, personas["entrant"].username, PASSWORD)
    page.goto(f"{base}/c/{open_campaign.slug}/enter/")
    broken = photo_jpeg()[:400]  # a JPEG cut off after its headers
    submit_entry(page, title="Half a photo", file_name="broken.jpg", data=broken)

    process_queue(page, run_worker)
    status = page.locator("#entry-status")
    expect(status).to_contain_text("Could not be processed")
    expect(status).to_contain_text("broken.jpg")
    expect(status).to_contain_text("truncated or damaged")
    expect(page.get_by_role("heading", level=1)).to_have_text("Half a photo")
    entry = Entry.objects.get(title="Half a photo")
    assert entry.status == EntryStatus.FAILED
    watch.assert_clean()
