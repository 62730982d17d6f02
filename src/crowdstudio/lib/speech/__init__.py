"""Offline speech synthesis behind a small interface, so a better voice can be plugged in.

`get_engine(name)` returns a `SpeechEngine` (see `base.py`): `voices()` lists the voices it
offers and `synthesize(text, voice, rate=1.0)` returns mono float32 samples and their rate.
The table reads of screenplays (crowdstudio.screenplays.tableread) only use this interface.

How to add an engine
--------------------
1. Write a module here with a class that subclasses `SpeechEngine`: give it a short `name`
   (stored on each TableRead), return stable `Voice` ids from `voices()` (ids are saved in
   castings, so never rename them), and make `synthesize` raise `SpeechError` with a readable
   message when the engine is missing or fails. Keep it offline and free of Django.
2. Register it in `ENGINES` below under its name.
3. Choose it with the setting CROWDSTUDIO_TABLE_READ_ENGINE = "<name>" (default "espeak").
4. Add a test in tests/lib/test_speech.py that synthesises a word with two voices (skip when
   the engine's binary or model is not installed).
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from crowdstudio.lib.speech.base import SpeechEngine, SpeechError, Voice

ENGINES: dict[str, str] = {
    "espeak": "crowdstudio.lib.speech.espeak.EspeakEngine",
}


def get_engine(name: str = "espeak") -> SpeechEngine:
    """A new engine instance registered under `name`; SpeechError for an unknown name."""
    try:
        path = ENGINES[name]
    except KeyError:
        raise SpeechError(f"unknown speech engine {name!r}") from None
    engine_class = import_string(path)
    engine = engine_class()
    assert isinstance(engine, SpeechEngine)
    return engine


__all__ = ["ENGINES", "SpeechEngine", "SpeechError", "Voice", "get_engine"]
