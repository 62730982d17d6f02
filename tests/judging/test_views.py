"""The judging pages: what judges, staff, entrants and the public see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crowdstudio.judging import services
from crowdstudio.judging.models import Criterion, Scorecard, ScorecardStatus


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entries(jury_round, personas, approved_entry, make_user):
    """Jules's own entry, one he declared a conflict with, and one he may judge."""
    jules = personas["judge"]
    own = approved_entry(jules, title="Jules at dusk")
    friend_user = make_user("friendly", display_name="Fiona Friend")
    friend = approved_entry(friend_user, title="Fiona's harbour")
    stranger = approved_entry(
        make_user("stranger", display_name="Sam Stranger"), title="Sam's pier"
    )
    services.conflict_declare(round=jury_round, judge=jules, entry=friend, reason="Friend")
    return {"own": own, "friend": friend, "stranger": stranger}


def _close_and_publish(rnd, user):
    now = timezone.now()
    type(rnd).objects.filter(pk=rnd.pk).update(
        opens_at=now - timedelta(days=10), closes_at=now - timedelta(minutes=1)
    )
    rnd.refresh_from_db()
    services.results_compute(round=rnd)
    services.results_publish(round=rnd, user=user)
    rnd.refresh_from_db()


def test_conflicted_and_own_entries_are_not_listed_for_the_judge(jury_round, personas, entries):
    page = client_as(personas["judge"]).get(reverse("judge_round", args=[jury_round.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sam&#x27;s pier" in html
    assert "Jules at dusk" not in html
    # The conflicted entry is named only in the judge's own list of declarations.
    assert html.count("Fiona&#x27;s harbour") == 1
    assert "1 of 1" not in html and "0 of 1 entries scored" in html


def test_a_conflicted_or_own_entry_is_404_by_direct_address(jury_round, personas, entries):
    client = client_as(personas["judge"])
    for key in ("own", "friend"):
        url = reverse("scorecard", args=[jury_round.pk, entries[key].pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "submit"}).status_code == 404
    assert not Scorecard.objects.exists()


def test_blind_judging_hides_the_author_on_every_judge_page(jury_round, personas, entries):
    jury_round.blind_judging = True
    jury_round.save()
    client = client_as(personas["judge"])
    pages = [
        client.get(reverse("my_judging")),
        client.get(reverse("judge_round", args=[jury_round.pk])),
        client.get(reverse("scorecard", args=[jury_round.pk, entries["stranger"].pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "Sam Stranger" not in page.content.decode()
        assert "stranger" not in page.content.decode()
    jury_round.blind_judging = False
    jury_round.save()
    assert (
        "Sam Stranger" in client.get(reverse("judge_round", args=[jury_round.pk])).content.decode()
    )


def test_a_judge_saves_a_draft_then_submits_through_the_page(jury_round, personas, entries):
    client = client_as(personas["judge"])
    url = reverse("scorecard", args=[jury_round.pk, entries["stranger"].pk])
    criteria = list(Criterion.objects.filter(round=jury_round).order_by("position"))
    fields = {f"c{c.pk}": "7" for c in criteria} | {"comment": "Nice", "private_note": "Hm"}

    draft = client.post(url, {**fields, f"c{criteria[0].pk}": "", "action": "draft"})
    assert draft.status_code == 302
    assert Scorecard.objects.get().status == ScorecardStatus.DRAFT
    too_high = client.post(url, {**fields, f"c{criteria[0].pk}": "11", "action": "submit"})
    assert too_high.status_code == 400
    done = client.post(url, {**fields, "action": "submit"})
    assert done.status_code == 302
    card = Scorecard.objects.get()
    assert card.status == ScorecardStatus.SUBMITTED and card.comment == "Nice"


def test_the_rubric_page_says_it_is_locked_after_the_first_submission(
    jury_round, personas, entries, score
):
    score(personas["judge"], entries["stranger"], 5)
    client = client_as(personas["producer"])
    page = client.get(reverse("rubric", args=[jury_round.campaign.slug, 1]))
    assert "The rubric is locked" in page.content.decode()
    refused = client.post(
        reverse("rubric", args=[jury_round.campaign.slug, 1]),
        {"name": "Late", "weight": "1", "scale_min": "1", "scale_max": "10"},
    )
    assert refused.status_code == 400
    assert "locked" in refused.content.decode()


def test_a_criterion_is_added_and_edited_from_the_rubric_pages(jury_round, personas):
    client = client_as(personas["producer"])
    slug = jury_round.campaign.slug
    added = client.post(
        reverse("rubric", args=[slug, 1]),
        {
            "name": "Light",
            "description": "How it is lit",
            "weight": "3",
            "scale_min": "0",
            "scale_max": "5",
            "position": "",
        },
    )
    assert added.status_code == 302
    light = Criterion.objects.get(round=jury_round, name="Light")
    assert (light.description, light.weight, light.scale_min, light.scale_max) == (
        "How it is lit",
        3,
        0,
        5,
    )
    assert light.position > max(
        c.position for c in Criterion.objects.filter(round=jury_round).exclude(pk=light.pk)
    )
    position = light.position
    edited = client.post(
        reverse("criterion_edit", args=[slug, 1, light.pk]),
        {
            "name": "Lighting",
            "description": "",
            "weight": "2",
            "scale_min": "1",
            "scale_max": "7",
            "position": "",
        },
    )
    assert edited.status_code == 302
    light.refresh_from_db()
    assert (light.name, light.weight, light.scale_max, light.position) == (
        "Lighting",
        2,
        7,
        position,
    )


def test_contest_settings_are_saved_from_the_form(jury_round, personas):
    url = reverse("round_contest", args=[jury_round.campaign.slug, 1])
    body = {
        "voting_scheme": "budget",
        "vote_budget": "",
        "normalisation": "zscore",
        "jury_weight": "70",
        "results_scale": "linear",
        "tie_break_1": "audience",
        "tie_break_2": "jury",
        "tie_break_3": "submitted",
    }
    client = client_as(personas["producer"])
    refused = client.post(url, body)
    assert refused.status_code == 400
    assert "budget scheme needs" in refused.content.decode()
    assert client.post(url, {**body, "vote_budget": "5", "blind_judging": "on"}).status_code == 302
    jury_round.refresh_from_db()
    assert jury_round.vote_budget == 5 and jury_round.blind_judging
    assert jury_round.tie_breaks == ["audience", "jury", "submitted"]


def test_staff_see_progress_conflicts_and_the_standings(jury_round, personas, entries, score):
    score(personas["judge"], entries["stranger"], 5, private_note="Solid")
    client = client_as(personas["producer"])
    jury_page = client.get(reverse("jury", args=[jury_round.campaign.slug, 1])).content.decode()
    assert "1 of 1 scored" in jury_page  # jules: 3 entries minus own and conflict
    assert "0 of 3 scored" in jury_page  # peter sees all three
    assert "Friend" in jury_page  # the declared reason
    assert (
        client.post(reverse("results_compute", args=[jury_round.campaign.slug, 1])).status_code
        == 302
    )
    results = client.get(reverse("results_manage", args=[jury_round.campaign.slug, 1]))
    html = results.content.decode()
    assert "Jury raw mean" in html and "5.00" in html
    assert "jules" in html  # the judge scales name the judges for staff
    assert 'name="entry"' in html  # a confirm-winner form for the €500 prize


def test_public_results_are_404_until_published_then_show_the_standings(
    jury_round, personas, entries, score
):
    score(personas["judge"], entries["stranger"], 5)
    url = reverse("round_results", args=[jury_round.campaign.slug, 1])
    assert Client().get(url).status_code == 404
    assert client_as(personas["entrant"]).get(url).status_code == 404
    preview = client_as(personas["producer"]).get(url)
    assert preview.status_code == 200 and "Preview" in preview.content.decode()

    _close_and_publish(jury_round, personas["producer"])

    page = Client().get(url)
    assert page.status_code == 200
    assert "Sam&#x27;s pier" in page.content.decode()
    campaign_page = Client().get(reverse("campaign", args=[jury_round.campaign.slug]))
    assert url in campaign_page.content.decode()
    assert "Higher jury score, Higher audience score, Earlier submission" in (
        campaign_page.content.decode()
    )


def test_an_entrant_reads_their_own_scores_without_the_judges_names(
    jury_round, personas, approved_entry, score
):
    erin = personas["entrant"]
    entry = approved_entry(erin, title="Erin's night")
    score(personas["judge"], entry, 6, comment="Great colours", private_note="Not for erin")
    url = reverse("my_scores", args=[entry.pk])
    assert client_as(erin).get(url).status_code == 404  # not published yet
    entry_page = client_as(erin).get(reverse("entry", args=[entry.pk])).content.decode()
    assert url not in entry_page

    _close_and_publish(jury_round, personas["producer"])

    page = client_as(erin).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Judge 1" in html and "Great colours" in html
    assert "jules" not in html and "Not for erin" not in html
    assert "Rank 1 of 1" in html
    assert url in client_as(erin).get(reverse("entry", args=[entry.pk])).content.decode()
    assert client_as(personas["owner"]).get(url).status_code == 404  # the author's page only


def test_the_judging_link_is_in_the_navigation_only_for_jurors(jury_round, personas):
    link = reverse("my_judging")
    home = reverse("home")
    assert link in client_as(personas["judge"]).get(home).content.decode()
    assert link not in client_as(personas["moderator"]).get(home).content.decode()
    assert link not in client_as(personas["entrant"]).get(home).content.decode()


def test_the_studio_toolbar_links_to_judging_for_results_managers(jury_round, personas):
    campaign_url = reverse("campaign", args=[jury_round.campaign.slug])
    link = reverse("judging_overview", args=[jury_round.campaign.slug])
    assert link in client_as(personas["producer"]).get(campaign_url).content.decode()
    assert link not in client_as(personas["moderator"]).get(campaign_url).content.decode()
