"""The director opens a planned music video, drops a shot, renders it and downloads the MP4.

The plan is made in setup from three generated photos and a generated 8 s click track, at tiny
output sizes. The render runs in a real database worker started from the test thread while the
browser is idle (the page's progress polls are held, as in test_entry_flow).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest
from playwright.sync_api import Page, expect

from crowdstudio.studio.models import MontageRender, MontageRenderUse, RenderStatus
from tests.e2e.test_entry_flow import PASSWORD, Watch, log_in
from tests.studio.test_director_world import (  # noqa: F401
    ready_montage,
    studio_fixture,
    tiny_sizes_fixture,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_the_director_drops_a_shot_renders_and_downloads_the_video(
    live_server: Any,
    page: Page,
    studio: Any,
    personas: dict[str, Any],
    run_worker: Callable[[], None],
    tmp_path: Path,
) -> None:
    base = live_server.url
    montage = ready_montage(studio, personas["producer"])
    watch = Watch(page)
    page.route(re.compile(r"/director/renders/\d+/$"), lambda route: route.abort())

    log_in(page, base, personas["producer"].username, PASSWORD)
    page.goto(f"{base}/c/{studio.campaign.slug}/")
    page.get_by_role("link", name="Director", exact=True).click()
    page.get_by_role("link", name="Summer cut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summer cut")

    # Drop the first shot: its picture leaves the cut and the credits.
    first = page.locator("tr.shot").first
    dropped_entry = int(first.get_attribute("data-entry") or 0)
    dropped_asset = int(first.get_attribute("data-asset") or 0)
    page.get_by_role("button", name="Drop shot 1", exact=True).click()
    expect(page.get_by_text("The plan is updated.")).to_be_visible()
    assets = page.locator("tr.shot").evaluate_all("rows => rows.map(r => +r.dataset.asset)")
    assert dropped_asset not in assets

    # Render the landscape version, twice for good measure: one render is queued.
    page.get_by_role("button", name="Render", exact=True).click()
    expect(page.get_by_text("Rendering. The progress shows below.")).to_be_visible()
    page.get_by_role("button", name="Render", exact=True).click()
    expect(page.get_by_text("Rendering. The progress shows below.")).to_be_visible()
    assert MontageRender.objects.count() == 1

    page.wait_for_load_state("networkidle")
    run_worker()
    page.reload()
    status = page.locator("#renders .render-status").first
    expect(status).to_have_attribute("data-status", "done")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download", exact=True).click()
    target = tmp_path / "video.mp4"
    download_info.value.save_as(target)
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 36)
    assert frames == 8 * montage.fps

    render = MontageRender.objects.get()
    assert render.status == RenderStatus.DONE
    used = set(MontageRenderUse.objects.filter(render=render).values_list("entry_id", flat=True))
    assert used and dropped_entry not in used
    watch.assert_clean()
