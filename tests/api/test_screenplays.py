from __future__ import annotations

import pytest

from crowdstudio.screenplays import services
from crowdstudio.screenplays.models import ScriptVersion
from tests.screenplays.conftest import REVISED, SCRIPT, make_script_campaign, submit_script


@pytest.fixture
def script(personas, org):
    campaign = make_script_campaign(personas, org)
    return submit_script(campaign, personas["entrant"], approve_by=personas["moderator"])


def test_it_lists_a_contests_published_screenplays(api_as, script, personas):
    unpublished = submit_script(script.campaign, personas["entrant"], title="Draft")
    public = api_as("anonymous").get(f"/campaigns/{script.campaign.slug}/screenplays").json()
    assert [s["title"] for s in public] == ["The Lighthouse"]
    assert public[0]["entry_status"] is None and public[0]["pages"] >= 1
    own = api_as("entrant").get(f"/campaigns/{script.campaign.slug}/screenplays").json()
    assert {s["id"] for s in own} == {script.pk, unpublished.pk}
    assert {s["entry_status"] for s in own} == {"approved", "awaiting_moderation"}


def test_the_detail_lists_versions_and_whether_the_caller_may_revise(api_as, script):
    detail = api_as("outsider").get(f"/screenplays/{script.pk}").json()
    assert detail["collaboration"] == "permission" and detail["can_revise"] is False
    assert detail["version_list"][0]["number"] == 1
    assert detail["version_list"][0]["parents"] == []
    assert api_as("entrant").get(f"/screenplays/{script.pk}").json()["can_revise"] is True


def test_elements_are_the_cli_json(api_as, script):
    body = api_as("anonymous").get(f"/screenplays/{script.pk}/versions/1/elements").json()
    types = [e["type"] for e in body["elements"]]
    assert types[0] == "title_page" and "scene_heading" in types and "dialogue" in types
    assert (
        api_as("anonymous").get(f"/screenplays/{script.pk}/versions/5/elements").status_code == 404
    )


def test_a_revision_is_posted_as_fountain_text(api_as, script):
    response = api_as("entrant").post(
        f"/screenplays/{script.pk}/revisions",
        {"based_on": [1], "message": "Sharper", "text": REVISED},
    )
    assert response.status_code == 201
    assert response.json()["number"] == 2 and response.json()["parents"] == [1]
    again = api_as("entrant").post(
        f"/screenplays/{script.pk}/revisions",
        {"based_on": [1], "message": "Again", "text": REVISED},
    )
    assert again.status_code == 409 and again.json()["code"] == "same_content"


def test_a_fountain_error_is_a_400_with_the_line(api_as, script):
    response = api_as("entrant").post(
        f"/screenplays/{script.pk}/revisions",
        {"based_on": [1], "message": "Oops", "text": SCRIPT + "\n/* open\n"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["message"].startswith("line ")
    assert ScriptVersion.objects.count() == 1


def test_a_reader_without_permission_is_refused(api_as, script):
    response = api_as("outsider").post(
        f"/screenplays/{script.pk}/revisions",
        {"based_on": [1], "message": "Mine", "text": REVISED},
    )
    assert response.status_code == 403 and response.json()["code"] == "revisions_not_allowed"


def test_the_diff_names_the_changed_words(api_as, script, personas):
    services.revision_post(
        screenplay=script, author=personas["entrant"], based_on=[1], message="x", text=REVISED
    )
    body = api_as("anonymous").get(f"/screenplays/{script.pk}/diff", a=1, b=2).json()
    assert body["summary"]["words_added"] >= 1
    assert "ever" in str(body["scenes"])
    bad = api_as("anonymous").get(f"/screenplays/{script.pk}/diff", a=1, b=9)
    assert bad.status_code == 404


def test_an_unpublished_screenplay_is_a_404_for_others(api_as, script, personas):
    draft = submit_script(script.campaign, personas["entrant"], title="Draft")
    assert api_as("outsider").get(f"/screenplays/{draft.pk}").status_code == 404
    assert api_as("judge").get(f"/screenplays/{draft.pk}").status_code == 200
