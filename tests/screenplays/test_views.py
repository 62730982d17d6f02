from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crowdstudio.campaigns.services import current_terms
from crowdstudio.entries.models import Entry
from crowdstudio.screenplays import selectors, services
from crowdstudio.screenplays.models import CollaboratorAccess, ElementComment, Screenplay
from tests.screenplays.conftest import REVISED, SCRIPT, submit_script, with_video

PDF = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _form(campaign, data: bytes = SCRIPT.encode(), name: str = "lighthouse.fountain", **extra):
    return {
        "title": "The Lighthouse",
        "logline": "A keeper hears a voice.",
        "script": SimpleUploadedFile(name, data),
        "collaboration": "permission",
        "accept_terms": "on",
        "terms_version_id": current_terms(campaign).id,
        "submission_key": "8a1c3c8e-2a55-4c3f-9d4e-0c5b5e2f1a11",
        **extra,
    }


def test_a_writer_submits_a_screenplay_and_lands_on_its_page(script_campaign, personas):
    client = _client(personas["entrant"])
    url = reverse("screenplay_submit", args=[script_campaign.slug])
    response = client.post(url, _form(script_campaign))
    sp = Screenplay.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/s/{sp.pk}/"
    # A double click sends the same key: still one screenplay.
    client.post(url, _form(script_campaign))
    assert Screenplay.objects.count() == 1
    page = client.get(f"/s/{sp.pk}/")
    assert page.status_code == 200
    assert b"INT. LIGHTHOUSE - NIGHT" in page.content
    assert b"Not published" in page.content


def test_a_parse_error_is_shown_with_its_line(script_campaign, personas):
    client = _client(personas["entrant"])
    data = b"INT. HOUSE - DAY\n\n/* open\n"
    response = client.post(
        reverse("screenplay_submit", args=[script_campaign.slug]), _form(script_campaign, data)
    )
    assert response.status_code == 400
    assert "line 3:" in response.content.decode()
    assert not Entry.objects.exists()


def test_entering_a_script_contest_leads_to_the_screenplay_form(script_campaign, personas):
    response = _client(personas["entrant"]).get(
        reverse("entry_create", args=[script_campaign.slug])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("screenplay_submit", args=[script_campaign.slug])


def test_the_reader_shows_the_formatted_script_with_running_time_and_comments(
    screenplay, make_user
):
    reader = make_user("reader")
    client = _client(reader)
    response = client.get(f"/s/{screenplay.pk}/v/1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="el-0"' in html
    assert "about 1 minute" in html
    assert "Make this shot longer?" in html  # the note, as a comment
    assert "Request access" in html
    posted = client.post(
        reverse("screenplay_comment", args=[screenplay.pk, 1]), {"element": 2, "body": "Great!"}
    )
    assert posted.status_code == 302 and posted["Location"].endswith("#el-2")
    assert ElementComment.objects.filter(body="Great!", element_index=2).exists()


def test_others_do_not_see_an_unapproved_screenplay(script_campaign, personas, make_user):
    sp = submit_script(script_campaign, personas["entrant"])
    assert _client(make_user("reader")).get(f"/s/{sp.pk}/").status_code == 404
    assert _client().get(f"/s/{sp.pk}/").status_code == 404
    assert _client(personas["moderator"]).get(f"/s/{sp.pk}/").status_code == 200


def test_downloads_have_safe_names_and_types(screenplay):
    client = _client()
    fountain = client.get(reverse("screenplay_download", args=[screenplay.pk, 1, "fountain"]))
    assert fountain["Content-Disposition"] == 'attachment; filename="The-Lighthouse-v1.fountain"'
    assert b"INT. LIGHTHOUSE - NIGHT" in fountain.content
    fdx = client.get(reverse("screenplay_download", args=[screenplay.pk, 1, "fdx"]))
    assert b"<FinalDraft" in fdx.content
    pdf = client.get(reverse("screenplay_download", args=[screenplay.pk, 1, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    original = client.get(reverse("screenplay_download", args=[screenplay.pk, 1, "original"]))
    assert original.content == SCRIPT.encode()
    assert (
        client.get(reverse("screenplay_download", args=[screenplay.pk, 1, "exe"])).status_code
        == 404
    )


def test_a_pdf_version_is_shown_inline_sandboxed(script_campaign, personas):
    sp = submit_script(
        script_campaign, personas["entrant"], data=PDF, approve_by=personas["moderator"]
    )
    client = _client()
    page = client.get(f"/s/{sp.pk}/")
    assert b"<object" in page.content
    response = client.get(reverse("screenplay_read_pdf", args=[sp.pk, 1]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response.content == PDF
    # A text version has no inline PDF of its original.
    other = submit_script(
        script_campaign, personas["entrant"], title="Two", approve_by=personas["moderator"]
    )
    assert client.get(reverse("screenplay_read_pdf", args=[other.pk, 1])).status_code == 404


def test_a_reader_asks_the_writer_grants_and_the_reader_revises(screenplay, personas, make_user):
    reader = make_user("reader")
    client = _client(reader)
    revise_url = reverse("screenplay_revise", args=[screenplay.pk, 1])
    assert client.get(revise_url).status_code == 403
    client.post(reverse("screenplay_access_request", args=[screenplay.pk]), {"message": "Hi"})
    row = CollaboratorAccess.objects.get(user=reader)
    writer = _client(personas["entrant"])
    assert b"Grant reader" in writer.get(f"/s/{screenplay.pk}/").content
    writer.post(
        reverse("screenplay_access_decide", args=[screenplay.pk, row.pk]), {"decision": "granted"}
    )
    assert client.get(revise_url).status_code == 200
    response = client.post(revise_url, {"text": REVISED, "message": "Sharper", "based_on": ["1"]})
    assert response.status_code == 302 and response["Location"] == f"/s/{screenplay.pk}/v/2/"
    same = client.post(revise_url, {"text": REVISED, "message": "Again", "based_on": ["1"]})
    assert same.status_code == 409 and "same as version 2" in same.content.decode()
    diff = client.get(reverse("screenplay_diff", args=[screenplay.pk]) + "?a=1&b=2")
    assert diff.status_code == 200 and b"ever" in diff.content
    lineage = client.get(reverse("screenplay_lineage", args=[screenplay.pk]))
    assert b"Revisions by" in lineage.content and b"reader" in lineage.content


def test_the_writer_changes_the_collaboration_setting(screenplay, personas):
    _client(personas["entrant"]).post(
        reverse("screenplay_collaboration", args=[screenplay.pk]), {"collaboration": "closed"}
    )
    screenplay.refresh_from_db()
    assert screenplay.collaboration == "closed"
    response = _client(personas["owner"]).post(
        reverse("screenplay_collaboration", args=[screenplay.pk]), {"collaboration": "open"}
    )
    assert response.status_code == 403


def test_the_diff_page_refuses_unknown_versions_gently(screenplay):
    response = _client().get(reverse("screenplay_diff", args=[screenplay.pk]) + "?a=1&b=7")
    assert response.status_code == 404
    junk = _client().get(reverse("screenplay_diff", args=[screenplay.pk]) + "?a=x&b=")
    assert junk.status_code == 200  # one version only: nothing to compare yet


def test_the_report_and_its_csv(screenplay):
    client = _client()
    page = client.get(reverse("screenplay_report", args=[screenplay.pk, 1]))
    assert page.status_code == 200 and b"MARA" in page.content
    csv = client.get(reverse("screenplay_report_csv", args=[screenplay.pk, 1]))
    assert csv["Content-Disposition"] == 'attachment; filename="The-Lighthouse-v1-report.csv"'
    assert "MARA" in csv.content.decode()


def test_a_film_entry_page_declares_a_test_movie_and_links_back(
    screenplay, personas, approved_entry, make_user
):
    director = make_user("director")
    film = with_video(approved_entry(director, title="Test shoot"))
    client = _client(director)
    page = client.get(reverse("entry", args=[film.pk]))
    assert b"Declare this a test movie" in page.content
    version = screenplay.versions.get()
    option = f'<option value="{version.pk}">The Lighthouse (#{screenplay.pk})'
    assert option.encode() in page.content
    options = selectors.declarable_versions(director, film)
    assert {"elements", "source"} <= options[0].get_deferred_fields()
    client.post(reverse("test_movie_declare", args=[film.pk]), {"version": version.pk})
    assert b"A test movie of" in _client().get(reverse("entry", args=[film.pk])).content
    assert b"Test shoot" in _client().get(f"/s/{screenplay.pk}/v/1/").content
    # The script entry's own page links to its reader.
    assert (
        b"Read the screenplay"
        in _client().get(reverse("entry", args=[screenplay.entry_id])).content
    )


def test_the_campaign_page_lists_published_screenplays(screenplay, script_campaign, personas):
    page = _client().get(reverse("campaign", args=[script_campaign.slug]))
    assert b"The Lighthouse" in page.content and b"Submit a screenplay" in page.content
    team = _client(personas["owner"]).get(reverse("campaign", args=[script_campaign.slug]))
    assert reverse("campaign_screenplays", args=[script_campaign.slug]).encode() in team.content


def test_a_revision_file_may_be_fdx_but_not_pdf(screenplay, personas):
    from crowdstudio.screenplays import fdx, fountain

    client = _client(personas["entrant"])
    url = reverse("screenplay_revise", args=[screenplay.pk, 1])
    pdf = client.post(
        url,
        {"upload": SimpleUploadedFile("x.pdf", PDF), "message": "pdf", "based_on": ["1"]},
    )
    assert pdf.status_code == 400 and b"PDF can only be read" in pdf.content
    data = fdx.write(fountain.parse(REVISED))
    ok = client.post(
        url,
        {"upload": SimpleUploadedFile("x.fdx", data), "message": "fdx", "based_on": ["1"]},
    )
    assert ok.status_code == 302
    assert services.parse_fountain_text(REVISED).content_hash == (
        screenplay.versions.get(number=2).content_hash
    )


def test_the_team_is_told_it_cannot_enter_instead_of_getting_a_form(script_campaign, personas):
    response = _client(personas["producer"]).get(
        reverse("screenplay_submit", args=[script_campaign.slug])
    )
    assert b"cannot enter their own campaign" in response.content
    assert b"Send my screenplay" not in response.content


def test_the_screenplay_list_reads_no_script_text_and_a_bounded_number_of_queries(
    script_campaign, personas, make_user, django_assert_max_num_queries
):
    for n in range(4):
        submit_script(
            script_campaign,
            make_user(f"writer{n}"),
            title=f"Script {n}",
            approve_by=personas["moderator"],
        )
    rows = selectors.campaign_screenplays(script_campaign, personas["owner"])
    assert len(rows) == 4
    assert {"elements", "source"} <= rows[0].latest.get_deferred_fields()
    client = _client(personas["owner"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("campaign_screenplays", args=[script_campaign.slug]))
    assert page.status_code == 200 and b"Script 3" in page.content


def test_a_missing_original_file_is_a_404_not_a_crash(screenplay):
    from django.core.files.storage import storages

    version = screenplay.versions.get()
    storages["originals"].delete(version.original.storage_name)
    response = _client().get(reverse("screenplay_download", args=[screenplay.pk, 1, "original"]))
    assert response.status_code == 404


def test_the_submit_form_asks_what_an_entry_form_asks_and_the_script_first(script_campaign):
    from crowdstudio.entries.forms import EntryForm
    from crowdstudio.screenplays.forms import ScriptSubmitForm

    script_campaign.min_age = 18
    script_fields = list(ScriptSubmitForm(campaign=script_campaign).fields)
    entry_fields = list(EntryForm(campaign=script_campaign).fields)
    assert script_fields[:4] == ["title", "logline", "script", "collaboration"]
    assert entry_fields[:3] == ["title", "description", "uploads"]
    assert script_fields[4:] == entry_fields[3:]
    assert "date_of_birth" in script_fields and "code" not in script_fields


def _reads_of_script_text(queries) -> int:
    """Queries that select a version's parsed text (its "elements" column)."""
    return sum(
        1
        for q in queries
        if "screenplays_scriptversion" in q["sql"] and '"elements"' in q["sql"].split("FROM")[0]
    )


def test_version_and_diff_pages_read_the_text_of_the_versions_shown_only(screenplay, personas):
    writer = personas["entrant"]
    for n in range(4):
        services.revision_post(
            screenplay=screenplay,
            author=writer,
            based_on=[n + 1],
            message=f"pass {n}",
            text=REVISED + f"\nINT. CELLAR - NIGHT\n\nPass {n} of the rewrite.\n",
        )
    client = _client(writer)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(reverse("screenplay_version", args=[screenplay.pk, 3]))
    assert page.status_code == 200 and b"pass 3" in page.content  # the list names every version
    assert _reads_of_script_text(page_queries.captured_queries) == 1  # version 3's
    with CaptureQueriesContext(connection) as diff_queries:
        diff = client.get(reverse("screenplay_diff", args=[screenplay.pk]) + "?a=2&b=5")
    assert diff.status_code == 200 and b"Pass <ins>3</ins>" in diff.content
    assert _reads_of_script_text(diff_queries.captured_queries) == 2
