"""Who sees a screenplay and who may post a revision under each collaboration setting."""

from __future__ import annotations

import pytest

from crowdstudio.campaigns.services import campaign_transition
from crowdstudio.entries.services import entry_moderate
from crowdstudio.screenplays import access, services
from crowdstudio.screenplays.models import Screenplay
from tests.screenplays.conftest import submit_script


def test_an_approved_script_in_a_public_campaign_is_public(screenplay, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert access.can_view_screenplay(AnonymousUser(), screenplay)
    assert access.can_view_screenplay(make_user("fan"), screenplay)


def test_an_unapproved_script_is_seen_by_the_writer_and_the_team_only(
    script_campaign, personas, make_user
):
    sp = submit_script(script_campaign, personas["entrant"])
    assert access.can_view_screenplay(personas["entrant"], sp)
    assert access.can_view_screenplay(personas["judge"], sp)
    assert not access.can_view_screenplay(personas["outsider"], sp)
    assert not access.can_view_screenplay(make_user("fan"), sp)
    entry_moderate(entry=sp.entry, user=personas["moderator"], decision="rejected", reason="No")
    sp.entry.refresh_from_db()
    assert not access.can_view_screenplay(make_user("fan2"), sp)
    assert set(access.screenplays_visible_to(personas["outsider"])) == set()
    assert set(access.screenplays_visible_to(personas["entrant"])) == {sp}


def test_a_finished_campaign_keeps_its_scripts_public(screenplay, script_campaign, personas):
    campaign_transition(campaign=script_campaign, to_status="judging", user=personas["owner"])
    fresh = Screenplay.objects.select_related("campaign", "entry").get(pk=screenplay.pk)
    assert access.is_public(fresh)


@pytest.mark.parametrize(
    ("setting", "reader_may", "granted_may"),
    [("open", True, True), ("permission", False, True), ("closed", False, False)],
)
def test_who_may_revise_under_each_setting(
    screenplay, personas, make_user, setting, reader_may, granted_may
):
    reader, granted = make_user("reader"), make_user("granted")
    row = services.access_request(screenplay=screenplay, user=granted, message="")
    services.access_decide(row=row, user=personas["entrant"], decision="granted")
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration=setting
    )
    assert access.can_revise(reader, screenplay) is reader_may
    assert access.can_revise(granted, screenplay) is granted_may
    # The writer and the organising team may always post; someone signed out never.
    assert access.can_revise(personas["entrant"], screenplay)
    assert access.can_revise(personas["producer"], screenplay)
    from django.contrib.auth.models import AnonymousUser

    assert not access.can_revise(AnonymousUser(), screenplay)
