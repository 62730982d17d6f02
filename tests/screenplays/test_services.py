from __future__ import annotations

import hashlib
import uuid

import pytest
from django.db import IntegrityError
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent
from crowdstudio.entries.models import Entry, EntryStatus
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.screenplays import fdx, fountain, services
from crowdstudio.screenplays.models import (
    AccessStatus,
    ElementComment,
    Screenplay,
    ScriptVersion,
    TestMovie,
)
from tests.screenplays.conftest import REVISED, SCRIPT, Upload, submit_script, with_video


def test_it_creates_the_entry_screenplay_and_first_version_from_a_fountain_file(
    script_campaign, personas
):
    sp = submit_script(script_campaign, personas["entrant"])
    entry = sp.entry
    assert entry.status == EntryStatus.AWAITING_MODERATION
    assert entry.author == personas["entrant"]
    assert entry.terms_version is not None
    assert not entry.assets.exists()  # a script needs no media intake
    version = sp.versions.get()
    assert version.number == 1
    assert version.source_format == "fountain"
    assert version.page_count >= 1
    assert version.content_hash == hashlib.sha256(version.source.encode()).hexdigest()
    assert version.elements[0]["type"] == "title_page"
    assert any(e["type"] == "scene_heading" for e in version.elements)
    assert version.original is not None and version.original_name == "lighthouse.fountain"
    assert AuditEvent.objects.filter(action="screenplay.submitted").count() == 1


def test_a_note_becomes_a_comment_anchored_to_its_element(script_campaign, personas):
    sp = submit_script(script_campaign, personas["entrant"])
    version = sp.versions.get()
    comment = ElementComment.objects.get(version=version)
    assert comment.from_note and comment.body == "Make this shot longer?"
    doc = fountain.parse(version.source)
    assert doc.elements[comment.element_index].text.startswith("The lamp turns slowly.")


def test_a_parse_error_names_the_line_and_creates_nothing(script_campaign, personas):
    broken = "INT. HOUSE - DAY\n\nShe waits.\n\n/* never closed\n\nMore.\n"
    with pytest.raises(ServiceError) as caught:
        submit_script(script_campaign, personas["entrant"], text=broken)
    assert caught.value.code == "parse_error"
    assert caught.value.message.startswith("line 5:")
    assert not Entry.objects.exists() and not Screenplay.objects.exists()


def test_a_double_submit_makes_one_screenplay(script_campaign, personas):
    key = uuid.uuid4()
    first = submit_script(script_campaign, personas["entrant"], submission_key=key)
    again = submit_script(script_campaign, personas["entrant"], submission_key=key)
    assert first.pk == again.pk
    assert Screenplay.objects.count() == 1 and ScriptVersion.objects.count() == 1


def test_an_fdx_upload_is_converted_to_fountain(script_campaign, personas):
    data = fdx.write(fountain.parse(SCRIPT))
    sp = submit_script(script_campaign, personas["entrant"], data=data, name="x.txt")
    version = sp.versions.get()
    assert version.source_format == "fdx"  # decided by content, not by the name
    assert "INT. LIGHTHOUSE - NIGHT" in version.source


def test_a_pdf_is_kept_for_reading_only(script_campaign, personas):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Pages >> endobj\n%%EOF\n"
    sp = submit_script(script_campaign, personas["entrant"], data=pdf, name="script.fountain")
    version = sp.versions.get()
    assert version.source_format == "pdf"
    assert version.elements == [] and version.source == ""
    assert version.page_count == 1


def test_it_refuses_binary_junk_and_oversized_files(script_campaign, personas, settings):
    with pytest.raises(ServiceError) as caught:
        submit_script(script_campaign, personas["entrant"], data=b"\x00\x01\x02binary")
    assert caught.value.code == "not_a_script"
    settings.CROWDSTUDIO_SCRIPT_MAX_BYTES = 100
    with pytest.raises(ServiceError) as caught:
        submit_script(script_campaign, personas["entrant"])
    assert caught.value.code == "too_large"
    assert not Entry.objects.exists()


def test_it_refuses_a_script_in_a_contest_of_another_kind(open_campaign, personas):
    with pytest.raises(ServiceError) as caught:
        submit_script(open_campaign, personas["entrant"])
    assert caught.value.code == "not_a_script_contest"


def test_it_refuses_the_organising_team(script_campaign, personas):
    with pytest.raises(NotAllowed):
        submit_script(script_campaign, personas["producer"])


# --- revisions --------------------------------------------------------------------------------


def _revise(sp, user, text=REVISED, based_on=(1,), message="Tighter line"):
    return services.revision_post(
        screenplay=sp, author=user, based_on=list(based_on), message=message, text=text
    )


def test_a_revision_is_a_new_immutable_version_with_its_parents(screenplay, personas):
    v2 = _revise(screenplay, personas["entrant"])
    assert v2.number == 2
    assert [p.number for p in v2.parents.all()] == [1]
    assert screenplay.versions.get(number=1).source != v2.source
    assert AuditEvent.objects.filter(action="screenplay.revised").count() == 1


def test_the_same_content_as_an_existing_version_is_refused_clearly(screenplay, personas):
    with pytest.raises(Conflict) as caught:
        _revise(screenplay, personas["entrant"], text=SCRIPT + "\n\n")
    assert caught.value.code == "same_content"
    assert "version 1" in caught.value.message


def test_a_merge_has_several_parents_in_order(screenplay, personas):
    _revise(screenplay, personas["entrant"])
    v3 = _revise(
        screenplay,
        personas["entrant"],
        text=SCRIPT.replace("Someone is out there.", "Someone is out there!"),
    )
    merged = _revise(
        screenplay,
        personas["entrant"],
        text=REVISED.replace("Someone is out there.", "Someone is out there!"),
        based_on=(2, v3.number),
        message="Merge",
    )
    assert [link.parent.number for link in merged.parent_links.order_by("position")] == [2, 3]


def test_a_revision_needs_a_known_parent_and_a_message(screenplay, personas):
    with pytest.raises(ServiceError) as caught:
        _revise(screenplay, personas["entrant"], based_on=(9,))
    assert caught.value.code == "unknown_version"
    with pytest.raises(ServiceError) as caught:
        _revise(screenplay, personas["entrant"], message="  ")
    assert caught.value.code == "message_required"


def test_a_number_taken_meanwhile_is_retried(screenplay, personas, monkeypatch):
    real_create = ScriptVersion.objects.create
    calls = {"n": 0}

    def racing_create(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("version_number_once")
        return real_create(**kwargs)

    monkeypatch.setattr(ScriptVersion.objects, "create", racing_create)
    v2 = _revise(screenplay, personas["entrant"])
    assert v2.number == 2 and calls["n"] == 2


# --- collaboration and access -------------------------------------------------------------------


def test_only_the_writer_changes_the_setting_and_it_is_logged(screenplay, personas):
    with pytest.raises(NotAllowed):
        services.collaboration_set(
            screenplay=screenplay, user=personas["owner"], collaboration="open"
        )
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration="open"
    )
    screenplay.refresh_from_db()
    assert screenplay.collaboration == "open"
    assert AuditEvent.objects.filter(action="screenplay.collaboration_changed").count() == 1


def test_a_stricter_setting_keeps_old_revisions(screenplay, personas, make_user):
    reader = make_user("reader")
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration="open"
    )
    _revise(screenplay, reader)
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration="closed"
    )
    with pytest.raises(NotAllowed):
        _revise(screenplay, reader, text=REVISED + "\nMore.\n", based_on=(2,))
    assert screenplay.versions.count() == 2


def test_access_is_requested_once_granted_and_revoked(screenplay, personas, make_user):
    reader = make_user("reader")
    row = services.access_request(screenplay=screenplay, user=reader, message="May I?")
    again = services.access_request(screenplay=screenplay, user=reader, message="Please?")
    assert row.pk == again.pk and again.status == AccessStatus.REQUESTED
    with pytest.raises(NotAllowed):
        services.access_decide(row=row, user=reader, decision="granted")
    services.access_decide(row=row, user=personas["entrant"], decision="granted")
    services.access_decide(row=row, user=personas["entrant"], decision="granted")  # a double click
    assert AuditEvent.objects.filter(action="screenplay.access_granted").count() == 1
    _revise(screenplay, reader)
    services.access_decide(row=row, user=personas["entrant"], decision="revoked")
    with pytest.raises(NotAllowed):
        _revise(screenplay, reader, text=REVISED + "\nMore.\n", based_on=(2,))
    with pytest.raises(Conflict):
        services.access_decide(row=row, user=personas["entrant"], decision="refused")


def test_access_cannot_be_requested_when_the_script_is_open_or_closed(screenplay, personas):
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration="closed"
    )
    with pytest.raises(Conflict):
        services.access_request(screenplay=screenplay, user=personas["judge"], message="")


# --- comments and test movies ------------------------------------------------------------------


def test_a_comment_is_anchored_to_an_existing_element(screenplay, make_user):
    reader = make_user("reader")
    version = screenplay.versions.get()
    comment = services.comment_add(version=version, user=reader, element_index=0, body="Nice")
    assert comment.element_index == 0
    with pytest.raises(ServiceError):
        services.comment_add(version=version, user=reader, element_index=999, body="Where?")
    with pytest.raises(ServiceError):
        services.comment_add(version=version, user=reader, element_index=0, body="  ")


def test_a_double_clicked_comment_is_posted_once(screenplay, make_user):
    reader = make_user("reader")
    version = screenplay.versions.get()
    first = services.comment_add(version=version, user=reader, element_index=1, body="Nice")
    again = services.comment_add(version=version, user=reader, element_index=1, body=" Nice ")
    assert again.pk == first.pk
    assert version.comments.filter(author=reader).count() == 1


def test_a_film_entry_becomes_a_test_movie_of_a_visible_version(
    screenplay, personas, approved_entry, make_user
):
    director = make_user("director")
    film = with_video(approved_entry(director, title="The Lighthouse (test shoot)"))
    version = screenplay.versions.get()
    movie = services.test_movie_declare(entry=film, version=version, user=director)
    again = services.test_movie_declare(entry=film, version=version, user=director)
    assert movie.pk == again.pk and TestMovie.objects.count() == 1
    assert AuditEvent.objects.filter(action="screenplay.test_movie_declared").count() == 1
    with pytest.raises(NotAllowed):
        services.test_movie_declare(entry=film, version=version, user=personas["entrant"])


def test_a_test_movie_must_be_of_the_same_organisation(
    screenplay, personas, other_org, approved_entry, make_user
):
    from crowdstudio.campaigns import services as campaign_services

    other = campaign_services.campaign_create(
        organisation=other_org,
        user=personas["outsider"],
        title="Elsewhere",
        kind="film",
        accepted_kinds=["video"],
    )
    director = make_user("director")
    film = Entry.objects.create(
        campaign=other,
        author=director,
        title="Elsewhere film",
        status=EntryStatus.APPROVED,
        source="mastodon",  # imported: no terms needed for this test's purpose
        created_at=timezone.now(),
    )
    with_video(film)
    with pytest.raises(ServiceError) as caught:
        services.test_movie_declare(entry=film, version=screenplay.versions.get(), user=director)
    assert caught.value.code == "other_organisation"


def test_only_an_entry_with_a_video_can_be_a_test_movie(screenplay, approved_entry, make_user):
    director = make_user("director")
    photo = approved_entry(director, title="A still")
    with pytest.raises(ServiceError) as caught:
        services.test_movie_declare(entry=photo, version=screenplay.versions.get(), user=director)
    assert caught.value.code == "not_a_film"
    assert not TestMovie.objects.exists()


def test_a_script_entry_cannot_be_its_own_test_movie(screenplay, personas):
    with pytest.raises(ServiceError):
        services.test_movie_declare(
            entry=screenplay.entry, version=screenplay.versions.get(), user=personas["entrant"]
        )


def test_detect_format_reads_the_content_not_the_name():
    assert services.detect_format(b"%PDF-1.7 ...") == "pdf"
    assert services.detect_format(b'<?xml version="1.0"?>\n<FinalDraft Version="5">') == "fdx"
    assert services.detect_format(b"INT. HOUSE - DAY\n") == "fountain"
    assert isinstance(Upload(b"x"), Upload)


def test_a_note_carried_into_a_revision_keeps_its_author(screenplay, personas, make_user):
    reader = make_user("reader")
    services.collaboration_set(
        screenplay=screenplay, user=personas["entrant"], collaboration="open"
    )
    v2 = _revise(screenplay, reader, text=REVISED + "\nTOM\nWait. [[Too short?]]\n")
    authors = dict(ElementComment.objects.filter(version=v2).values_list("body", "author"))
    assert authors == {
        "Make this shot longer?": personas["entrant"].pk,
        "Too short?": reader.pk,
    }
