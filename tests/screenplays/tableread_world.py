"""Screenplays with versions for the table-read tests, made directly (fast, no parsing)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from crowdstudio.screenplays.elements import Element, ElementType
from crowdstudio.screenplays.elements import Screenplay as Document
from crowdstudio.screenplays.models import (
    Screenplay,
    ScriptVersion,
    SourceFormat,
    TableRead,
    TableReadStatus,
)
from crowdstudio.screenplays.tableread.script import NARRATOR


def short_scene() -> Document:
    return Document(
        elements=(
            Element(ElementType.SCENE_HEADING, "INT. LIGHTHOUSE - NIGHT"),
            Element(ElementType.ACTION, "The lamp turns."),
            Element(ElementType.CHARACTER, "MARA"),
            Element(ElementType.PARENTHETICAL, "(whispering)"),
            Element(ElementType.DIALOGUE, "Someone is out there."),
            Element(ElementType.CHARACTER, "TOM"),
            Element(ElementType.DIALOGUE, "Nobody comes here in winter."),
        )
    )


def make_version(writer: Any, entry: Any = None, document: Document | None = None) -> ScriptVersion:
    """Version 1 of a new screenplay by `writer` (the contest entry `entry`, when given)."""
    now = timezone.now()
    document = document or short_scene()
    screenplay = Screenplay.objects.create(
        campaign=entry.campaign if entry is not None else None,
        entry=entry,
        title="The Lighthouse",
        writer=writer,
        created_at=now,
        updated_at=now,
    )
    source = "\n".join(e.text for e in document.elements)
    return ScriptVersion.objects.create(
        screenplay=screenplay,
        number=1,
        author=writer,
        source_format=SourceFormat.FOUNTAIN,
        source=source,
        content_hash=hashlib.sha256(source.encode()).hexdigest(),
        elements=document.to_json_list(),
        page_count=1,
        created_at=now,
    )


def done_read(version: ScriptVersion, user: Any, data: bytes = b"\x00" * 2000) -> TableRead:
    """A finished read with a stored (fake) file: for serving, not for listening."""
    name = storages["works"].save("tableread/test-read.m4a", ContentFile(data))
    return TableRead.objects.create(
        version=version,
        casting={NARRATOR: "en+m3@40", "MARA": "en-us+f2@60", "TOM": "en+m1@50"},
        engine="espeak",
        status=TableReadStatus.DONE,
        percent=100,
        output_name=name,
        output_mime="audio/mp4",
        duration=12.5,
        loudness_lufs=-16.0,
        true_peak_dbtp=-1.2,
        chapters=[
            {"title": "INT. LIGHTHOUSE - NIGHT", "start": 0.0, "end": 8.0},
            {"title": "EXT. CLIFF --> DAWN", "start": 8.0, "end": 12.5},
        ],
        requested_by=user,
        created_at=timezone.now(),
        finished_at=timezone.now(),
    )
