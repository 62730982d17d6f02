"""Table reads: the reading script, casting, rendering and mastering, the background task with
its lease, and the pages."""

from __future__ import annotations

import shutil
from datetime import timedelta

import av
import numpy as np
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone, translation

from crowdstudio.audit.models import AuditEvent
from crowdstudio.lib.audio import loudness
from crowdstudio.lib.errors import Conflict, NotAllowed, ServiceError
from crowdstudio.lib.speech import get_engine
from crowdstudio.screenplays import tableread_services as services
from crowdstudio.screenplays.elements import Element, ElementType, Screenplay, TitleField
from crowdstudio.screenplays.models import TableRead, TableReadStatus
from crowdstudio.screenplays.tableread import casting, render
from crowdstudio.screenplays.tableread.script import NARRATOR, reading_script, spoken_heading
from tests.screenplays.tableread_samples import three_page_scene
from tests.screenplays.tableread_world import done_read, make_version

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")
E = ElementType


# --- the reading script -------------------------------------------------------------------


def test_the_narrator_reads_headings_and_action_and_each_character_their_lines():
    script = reading_script(
        Screenplay(
            title_page=(TitleField("Title", "Rain"), TitleField("Author", "Jo")),
            elements=(
                Element(E.SECTION, "Act one", depth=1),
                Element(E.SCENE_HEADING, "INT. KITCHEN - NIGHT", scene_number="1"),
                Element(E.ACTION, "Rain **hammers** the window.", notes=("louder?",)),
                Element(E.CHARACTER, "Anna", extension="(V.O.)"),
                Element(E.PARENTHETICAL, "(quietly)"),
                Element(E.DIALOGUE, "You came _back_."),
                Element(E.NOTE, "cut this?"),
                Element(E.SYNOPSIS, "They argue."),
                Element(E.PAGE_BREAK, ""),
                Element(E.TRANSITION, "CUT TO:"),
            ),
        )
    )
    assert [(s.speaker, s.text, s.scene) for s in script.segments] == [
        (NARRATOR, "Rain. Written by Jo.", 0),
        (NARRATOR, "Interior. kitchen. night", 1),
        (NARRATOR, "Rain hammers the window.", 1),
        ("ANNA", "You came back.", 1),
        (NARRATOR, "Cut to:", 1),
    ]
    assert [c.title for c in script.chapters] == ["Opening", "INT. KITCHEN - NIGHT"]


def test_dual_dialogue_is_read_left_speaker_first_and_lyrics_by_the_singer():
    script = reading_script(
        Screenplay(
            elements=(
                Element(E.SCENE_HEADING, "EXT. SQUARE - DAY"),
                Element(E.CHARACTER, "BRICK", dual="left"),
                Element(E.DIALOGUE, "Screw retirement."),
                Element(E.CHARACTER, "STEEL", dual="right"),
                Element(E.DIALOGUE, "Screw retirement."),
                Element(E.CHARACTER, "STEEL"),
                Element(E.LYRICS, "Oh the harbour lights"),
                Element(E.ACTION, "Silence."),
                Element(E.LYRICS, "A radio plays far off"),
            )
        )
    )
    assert [(s.speaker, s.kind) for s in script.segments] == [
        (NARRATOR, "scene_heading"),
        ("BRICK", "dialogue"),
        ("STEEL", "dialogue"),
        ("STEEL", "lyrics"),
        (NARRATOR, "action"),
        (NARRATOR, "lyrics"),
    ]
    assert script.speakers() == ["BRICK", "STEEL"]
    assert [c.title for c in script.chapters] == ["EXT. SQUARE - DAY"]


def test_scene_headings_are_spoken_in_words():
    assert spoken_heading("INT./EXT. CAR - MOVING") == "Interior, exterior. car. moving"
    assert spoken_heading("EXT. CLIFF - DAWN") == "Exterior. cliff. dawn"
    assert spoken_heading("The Lighthouse") == "The Lighthouse"


def test_a_script_without_text_has_nothing_to_read():
    assert reading_script(Screenplay()).segments == ()


# --- casting ------------------------------------------------------------------------------


def test_the_suggested_casting_gives_the_most_distinct_voices_to_the_biggest_parts():
    voices = get_engine("espeak").voices()
    counts = {NARRATOR: 9, "TOM": 2, "MARA": 5, "JONAH": 2}
    suggestion = casting.suggest(counts, voices)
    assert suggestion == casting.suggest(dict(reversed(counts.items())), voices)  # deterministic
    assert suggestion[NARRATOR] == voices[0].id
    assert suggestion["MARA"] == voices[1].id
    assert suggestion["JONAH"] == voices[2].id  # ties by name
    assert suggestion["TOM"] == voices[3].id
    assert len(set(suggestion.values())) == 4


def test_a_big_cast_reuses_voices_but_never_the_narrators():
    voices = get_engine("espeak").voices()
    counts = {f"EXTRA {i:02d}": 1 for i in range(len(voices) + 3)}
    suggestion = casting.suggest(counts, voices)
    assert voices[0].id not in {v for k, v in suggestion.items() if k != NARRATOR}


def test_a_casting_must_name_exactly_the_characters_with_known_voices():
    voices = get_engine("espeak").voices()
    good = {NARRATOR: voices[0].id, "MARA": voices[1].id}
    assert casting.validate(good, characters=["MARA"], voices=voices) == good
    with pytest.raises(casting.CastingError, match="no voice for: MARA"):
        casting.validate({NARRATOR: voices[0].id}, characters=["MARA"], voices=voices)
    with pytest.raises(casting.CastingError, match="not a character"):
        casting.validate({**good, "GHOST": voices[2].id}, characters=["MARA"], voices=voices)
    with pytest.raises(casting.CastingError, match="unknown voice"):
        casting.validate({**good, "MARA": "klingon"}, characters=["MARA"], voices=voices)


# --- rendering ----------------------------------------------------------------------------


@needs_espeak
def test_a_three_page_scene_renders_to_a_mastered_file_of_the_expected_length(tmp_path):
    """The issue's acceptance test: length, one voice per character, −16 LUFS ±1, ≤ −1 dBTP."""
    script = reading_script(three_page_scene())
    engine = get_engine("espeak")
    cast = casting.suggest(script.line_counts(), engine.voices())
    assert set(cast) == {NARRATOR, "MARA", "TOMAS", "OLD JONAH"}
    assert len(set(cast.values())) == 4  # one distinct voice per character and the narrator
    stages: list[tuple[str, int]] = []
    output = tmp_path / "read.m4a"

    result = render.render(
        script, cast, engine, output, progress=lambda s, p: stages.append((s, p))
    )

    # Expected length, derived from the segments: speech plus the pauses between them.
    pauses = render.LEAD_IN + render.TAIL
    for before, after in zip(script.segments, script.segments[1:], strict=False):
        if after.scene != before.scene:
            pauses += render.PAUSE_NEW_SCENE
        elif after.speaker != before.speaker:
            pauses += render.PAUSE_NEW_SPEAKER
        else:
            pauses += render.PAUSE_SAME_SPEAKER
    expected = sum(result.segment_seconds) + pauses
    assert result.expected_duration == pytest.approx(expected, abs=0.01)
    assert len(result.segment_seconds) == len(script.segments)
    assert 60 < expected < 240  # about a minute a page

    # Decode the file independently and measure what a listener gets.
    with av.open(str(output)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        rate = stream.rate
        chapters = container.chapters()
        samples = np.concatenate(
            [frame.to_ndarray().reshape(-1) for frame in container.decode(stream)]
        )
    assert len(samples) / rate == pytest.approx(expected, abs=0.1)
    assert result.duration == pytest.approx(expected, abs=0.1)
    assert loudness.integrated_loudness(samples, rate) == pytest.approx(-16.0, abs=1.0)
    assert loudness.true_peak_dbtp(samples, rate) <= -1.0
    assert np.max(np.abs(samples)) <= 10 ** (-1 / 20)

    # One chapter per scene (and the title), in the file and in the result.
    assert [c["metadata"]["title"] for c in chapters] == [
        "Opening",
        "EXT. HARBOUR PIER - NIGHT",
        "INT. HARBOUR MASTER'S HUT - NIGHT",
    ]
    assert [c.title for c in result.chapters] == [c["metadata"]["title"] for c in chapters]
    assert result.chapters[0].start == 0
    assert result.chapters[-1].end == pytest.approx(expected, abs=0.01)

    # Progress went through every stage, never backwards.
    assert next(s for s, _ in stages) == "synthesising" and stages[-1] == ("done", 100)
    assert {"mastering", "encoding"} <= {s for s, _ in stages}
    percents = [p for _, p in stages]
    assert percents == sorted(percents)


@needs_espeak
def test_each_characters_voice_sounds_different():
    engine = get_engine("espeak")
    script = reading_script(three_page_scene())
    cast = casting.suggest(script.line_counts(), engine.voices())
    line = "The boat is late again tonight."
    takes = [
        engine.synthesize(line, cast[name])[0] for name in (NARRATOR, "MARA", "TOMAS", "OLD JONAH")
    ]
    for i, first in enumerate(takes):
        for second in takes[i + 1 :]:
            n = min(len(first), len(second))
            assert len(first) != len(second) or not np.allclose(first[:n], second[:n])


# --- the service and the task ---------------------------------------------------------------


@pytest.fixture
def version(personas, approved_entry):
    erin = personas["entrant"]
    return make_version(erin, approved_entry(erin, title="The Lighthouse"))


def test_the_writer_requests_a_read_with_the_suggested_casting(version, personas):
    read = services.table_read_request(version=version, user=personas["entrant"])
    assert read.status == TableReadStatus.QUEUED
    assert set(read.casting) == {NARRATOR, "MARA", "TOM"}
    assert read.engine == "espeak"
    assert AuditEvent.objects.filter(action="screenplay.table_read_requested").count() == 1


def test_only_one_read_per_version_runs_at_a_time(version, personas):
    services.table_read_request(version=version, user=personas["entrant"])
    with pytest.raises(Conflict):
        services.table_read_request(version=version, user=personas["producer"])
    assert TableRead.objects.count() == 1


def test_an_outsider_may_not_request_a_read(version, personas):
    with pytest.raises(NotAllowed):
        services.table_read_request(version=version, user=personas["outsider"])


def test_a_bad_casting_is_refused_with_the_reason(version, personas):
    with pytest.raises(ServiceError, match="no voice for: TOM"):
        services.table_read_request(
            version=version,
            user=personas["entrant"],
            casting={NARRATOR: "en+m3@40", "MARA": "en-us+f2@60"},
        )


def test_a_version_with_no_text_cannot_be_read(personas, approved_entry):
    erin = personas["entrant"]
    empty = make_version(erin, approved_entry(erin), Screenplay())
    with pytest.raises(ServiceError, match="no text"):
        services.table_read_request(version=empty, user=erin)


@needs_espeak
def test_the_worker_renders_the_read_into_the_private_store(
    version, personas, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        read = services.table_read_request(version=version, user=personas["entrant"])
    run_worker()
    read.refresh_from_db()
    assert read.status == TableReadStatus.DONE, read.error
    assert read.percent == 100 and read.attempts == 1 and read.lease_until is None
    assert read.output_name.startswith("tableread/") and len(read.output_name) > 40
    assert storages["works"].exists(read.output_name)
    assert read.loudness_lufs == pytest.approx(-16.0, abs=1.0)
    assert read.true_peak_dbtp <= -1.0
    assert [c["title"] for c in read.chapters] == ["INT. LIGHTHOUSE - NIGHT"]
    assert read.duration and read.duration > 2

    # Running the task again is harmless: a finished read is not rendered again.
    assert services.table_read_render(table_read_id=read.pk) == TableReadStatus.DONE
    again = TableRead.objects.get(pk=read.pk)
    assert (again.attempts, again.output_name) == (1, read.output_name)


def test_progress_is_saved_a_few_times_a_second_at_most(version, personas):
    read = services.table_read_request(version=version, user=personas["entrant"])
    TableRead.objects.filter(pk=read.pk).update(status=TableReadStatus.RUNNING, attempts=1)
    ticks = iter([0.0, 0.1, 0.2, 0.35, 0.36, 0.37, 0.38])
    saver = services.ProgressSaver(read.pk, 1, clock=lambda: next(ticks))
    saver("synthesising", 10)  # saved (first)
    saver("synthesising", 20)  # skipped: 0.1 s later
    saver("synthesising", 30)  # skipped
    saver("synthesising", 40)  # saved: 0.35 s after the first
    saver("mastering", 80)  # saved: a new stage
    saver("mastering", 85)  # skipped
    assert saver.saves == 3
    read.refresh_from_db()
    assert (read.stage, read.percent) == ("mastering", 80)
    assert read.lease_until is not None
    # A run that lost its lease (another attempt took over) writes nothing.
    TableRead.objects.filter(pk=read.pk).update(attempts=2)
    saver("encoding", 90)
    read.refresh_from_db()
    assert read.stage == "mastering"


def test_a_read_whose_worker_died_is_queued_again_and_then_rendered(
    version, personas, django_capture_on_commit_callbacks
):
    now = timezone.now()
    read = services.table_read_request(version=version, user=personas["entrant"], now=now)
    # A worker claimed it and died half-way.
    TableRead.objects.filter(pk=read.pk).update(
        status=TableReadStatus.RUNNING,
        attempts=1,
        stage="synthesising",
        percent=40,
        lease_until=now + timedelta(minutes=15),
    )
    # Within the lease nobody else takes it, and the sweep leaves it alone.
    assert services.table_read_render(table_read_id=read.pk, now=now) == TableReadStatus.RUNNING
    assert services.table_reads_recover(now=now + timedelta(minutes=5)) == 0
    # After the lease the sweep queues it again (once, however many workers sweep).
    later = now + timedelta(minutes=16)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.table_reads_recover(now=later) == 1
        assert services.table_reads_recover(now=later) == 0
    assert len(callbacks) == 1
    read.refresh_from_db()
    assert (read.status, read.percent, read.attempts) == (TableReadStatus.QUEUED, 0, 1)


def test_a_read_that_keeps_killing_its_worker_fails_after_the_last_attempt(version, personas):
    now = timezone.now()
    read = services.table_read_request(version=version, user=personas["entrant"], now=now)
    TableRead.objects.filter(pk=read.pk).update(
        status=TableReadStatus.RUNNING, attempts=3, lease_until=now - timedelta(seconds=1)
    )
    assert services.table_reads_recover(now=now) == 1
    read.refresh_from_db()
    assert read.status == TableReadStatus.FAILED and read.error


def test_a_lost_task_is_queued_again(version, personas, django_capture_on_commit_callbacks):
    now = timezone.now()
    read = services.table_read_request(version=version, user=personas["entrant"], now=now)
    assert services.table_reads_recover(now=now + timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.table_reads_recover(now=now + timedelta(minutes=16)) == 1
    assert len(callbacks) == 1
    read.refresh_from_db()
    assert read.status == TableReadStatus.QUEUED


def test_a_read_the_engine_cannot_make_fails_in_the_readers_language(
    client, version, personas, settings
):
    read = services.table_read_request(version=version, user=personas["entrant"])

    class Broken(services.SpeechEngine):
        name = "broken"

        def voices(self):
            return get_engine("espeak").voices()

        def synthesize(self, text, voice, *, rate=1.0):
            raise services.SpeechError("espeak-ng is not installed")

    assert services.table_read_render(table_read_id=read.pk, engine=Broken()) == "failed"
    read.refresh_from_db()
    assert read.status == TableReadStatus.FAILED
    assert read.error == services.ENGINE_FAILED  # the message id: shown in the reader's language
    event = AuditEvent.objects.get(action="screenplay.table_read_failed")
    assert "not installed" in event.data["detail"]  # the engine's own words, for operators
    client.force_login(personas["entrant"])
    url = reverse("table_read_panel", kwargs={"pk": version.screenplay_id, "number": 1})
    english = client.get(url).content.decode()
    german = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert "could not read this version aloud" in english and "not installed" not in english
    assert "konnte diese Fassung nicht vorlesen" in german
    # A failed read does not block a new one.
    services.table_read_request(version=version, user=personas["entrant"])


def test_a_missing_speech_engine_is_explained_to_the_writer_not_with_its_own_words(
    version, personas, settings, caplog
):
    settings.CROWDSTUDIO_TABLE_READ_ENGINE = "no-such-engine"
    with translation.override("de"), pytest.raises(ServiceError) as refused:
        services.table_read_request(version=version, user=personas["entrant"])
    assert refused.value.code == "table_read_engine"
    assert "Leseproben sind auf diesem Server im Moment nicht verfügbar" in refused.value.message
    assert "no-such-engine" not in refused.value.message
    assert "unknown speech engine 'no-such-engine'" in caplog.text  # the detail is logged
    assert not TableRead.objects.exists()


def test_the_chapters_track_is_webvtt(version, personas):
    read = done_read(version, personas["entrant"])
    assert services.chapters_vtt(read).splitlines() == [
        "WEBVTT",
        "",
        "chapter-1",
        "00:00:00.000 --> 00:00:08.000",
        "INT. LIGHTHOUSE - NIGHT",
        "",
        "chapter-2",
        "00:00:08.000 --> 00:00:12.500",
        "EXT. CLIFF → DAWN",
    ]


def test_a_chapter_title_cannot_inject_webvtt_tags(version, personas):
    read = done_read(version, personas["entrant"])
    read.chapters = [{"title": "INT. <b>BAR</b> & GRILL", "start": 0.0, "end": 1.0}]
    assert services.chapters_vtt(read).splitlines()[4] == "INT. &lt;b&gt;BAR&lt;/b&gt; &amp; GRILL"


# --- pages --------------------------------------------------------------------------------


def test_the_panel_offers_the_writer_a_casting_form_and_the_outsider_only_the_reads(
    client, version, personas
):
    done_read(version, personas["entrant"])
    url = reverse("table_read_panel", kwargs={"pk": version.screenplay_id, "number": 1})
    client.force_login(personas["entrant"])
    page = client.get(url).content.decode()
    assert 'name="voice_0"' in page and 'name="voice_2"' in page
    assert '<track kind="chapters"' in page and 'data-seek="8.000"' in page
    assert "hx-trigger" not in page  # nothing is rendering: no polling
    client.force_login(personas["outsider"])
    page = client.get(url).content.decode()
    assert 'name="voice_0"' not in page and "<audio" in page


def test_the_panel_polls_while_a_read_renders_and_hides_the_form(client, version, personas):
    services.table_read_request(version=version, user=personas["entrant"])
    client.force_login(personas["entrant"])
    page = client.get(
        reverse("table_read_panel", kwargs={"pk": version.screenplay_id, "number": 1})
    ).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    assert 'name="voice_0"' not in page


def test_polling_the_panel_does_not_build_the_hidden_form(client, version, personas, monkeypatch):
    services.table_read_request(version=version, user=personas["entrant"])
    client.force_login(personas["entrant"])
    calls = []
    monkeypatch.setattr(services, "version_script", lambda v: calls.append(v))
    url = reverse("table_read_panel", kwargs={"pk": version.screenplay_id, "number": 1})
    assert client.get(url).status_code == 200
    assert calls == []  # the script is not parsed on every poll for a form nobody sees


def test_posting_the_form_queues_a_read_and_a_double_click_does_not_queue_two(
    client, version, personas
):
    cast = services.suggested_casting(version=version)
    body = {f"voice_{i}": cast[role] for i, role in enumerate(cast)}
    body["voice_1"] = get_engine("espeak").voices()[5].id  # the writer changed Mara's voice
    client.force_login(personas["entrant"])
    url = reverse("table_read_create", kwargs={"pk": version.screenplay_id, "number": 1})
    first = client.post(url, body)
    second = client.post(url, body)
    assert first.status_code == second.status_code == 302
    assert TableRead.objects.count() == 1
    read = TableRead.objects.get()
    roles = list(cast)
    assert read.casting[roles[1]] == get_engine("espeak").voices()[5].id
    messages = [str(m) for m in second.wsgi_request._messages]
    assert any("already" in m for m in messages)


def test_a_posted_unknown_voice_is_refused(client, version, personas):
    client.force_login(personas["entrant"])
    url = reverse("table_read_create", kwargs={"pk": version.screenplay_id, "number": 1})
    response = client.post(url, {"voice_0": "en+m3@40", "voice_1": "nope", "voice_2": "x"})
    assert response.status_code == 302
    assert TableRead.objects.count() == 0


def test_the_player_can_seek_with_byte_ranges(client, version, personas):
    data = bytes(range(256)) * 8
    read = done_read(version, personas["entrant"], data=data)
    url = reverse("table_read_audio", kwargs={"pk": read.pk})
    response = client.get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(response.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    huge = client.get(url, HTTP_RANGE="bytes=" + "9" * 5000 + "-")  # int() would refuse it
    assert huge.status_code == 416
    backwards = client.get(url, HTTP_RANGE="bytes=199-100")  # invalid: ignored (RFC 9110)
    assert backwards.status_code == 200
    backwards.close()
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes"
    whole.close()


def test_the_download_is_an_attachment(client, version, personas):
    read = done_read(version, personas["entrant"])
    response = client.get(reverse("table_read_download", kwargs={"pk": read.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "the-lighthouse-v1-table-read.m4a" in response["Content-Disposition"]
    response.close()


def test_a_read_that_is_not_done_has_no_audio(client, version, personas):
    read = services.table_read_request(version=version, user=personas["entrant"])
    for name in ("table_read_audio", "table_read_download", "table_read_chapters"):
        assert client.get(reverse(name, kwargs={"pk": read.pk})).status_code == 404


def test_the_panel_template_tag_renders_on_a_page(rf, version, personas):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = personas["outsider"]
    html = Template("{% load tableread_tags %}{% table_read_panel version %}").render(
        Context({"request": request, "version": version})
    )
    assert "table-reads-" in html


def test_the_version_page_shows_the_table_read_panel(client, version, personas):
    done_read(version, personas["entrant"])
    client.force_login(personas["entrant"])
    response = client.get(
        reverse("screenplay_version", kwargs={"pk": version.screenplay_id, "number": 1})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="table-reads-{version.pk}"' in page and 'name="voice_0"' in page
    assert "csrfmiddlewaretoken" in page
