"""The speech engine interface and the eSpeak NG engine."""

from __future__ import annotations

import shutil
import struct

import numpy as np
import pytest

from crowdstudio.lib.speech import SpeechError, get_engine
from crowdstudio.lib.speech.espeak import EspeakEngine, decode_wav, parse_voice_id

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def test_an_unknown_engine_is_a_clear_error():
    with pytest.raises(SpeechError, match="unknown speech engine"):
        get_engine("nope")


def test_the_espeak_catalogue_has_many_distinct_stable_voices():
    voices = EspeakEngine().voices()
    assert 10 <= len(voices) <= 20
    assert len({v.id for v in voices}) == len(voices)
    assert {v.gender for v in voices} == {"male", "female"}
    for voice in voices:
        parse_voice_id(voice.id)


def test_a_malformed_voice_id_is_refused():
    for bad in ("en", "en+m3", "en+m3@x", "+m3@40", "en+m3@140"):
        with pytest.raises(SpeechError):
            parse_voice_id(bad)


def test_a_streamed_wav_with_placeholder_sizes_is_decoded_to_the_end():
    pcm = np.array([0, 16384, -16384, 32767], dtype="<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 0x7FFFF000) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16)
    data = b"data" + struct.pack("<I", 0x7FFFF000) + pcm
    samples, rate = decode_wav(header + fmt + data)
    assert rate == 22050
    assert samples.tolist() == pytest.approx([0.0, 0.5, -0.5, 32767 / 32768])


def test_garbage_instead_of_a_wav_is_a_clear_error():
    with pytest.raises(SpeechError, match="WAV"):
        decode_wav(b"not a wav at all")


@pytest.mark.parametrize(
    "chunks",
    [
        b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 0, 22050, 44100, 2, 16)  # no channels
        + b"data"
        + struct.pack("<I", 4)
        + b"\x00" * 4,
        b"fmt " + struct.pack("<IHH", 16, 1, 1),  # the stream ends inside the format chunk
    ],
)
def test_a_wav_with_a_broken_format_chunk_is_a_clear_error(chunks):
    header = b"RIFF" + struct.pack("<I", 0x7FFFF000) + b"WAVE"
    with pytest.raises(SpeechError, match="WAV"):
        decode_wav(header + chunks)


def test_a_missing_binary_is_a_clear_error():
    engine = EspeakEngine(binary="espeak-ng-that-is-not-installed")
    with pytest.raises(SpeechError, match="not installed"):
        engine.synthesize("Hello.", engine.voices()[0])


@needs_espeak
def test_two_voices_say_the_same_words_differently():
    engine = get_engine("espeak")
    first, second = engine.voices()[:2]
    a, rate_a = engine.synthesize("The harbour lights are out tonight.", first)
    b, rate_b = engine.synthesize("The harbour lights are out tonight.", second.id)
    assert rate_a == rate_b == 22050
    assert a.dtype == np.float32 and 0.5 < len(a) / rate_a < 6
    assert np.max(np.abs(a)) <= 1.0
    assert len(a) != len(b) or not np.allclose(a, b)


@needs_espeak
def test_the_rate_changes_the_pace():
    engine = get_engine("espeak")
    voice = engine.voices()[0]
    slow, _ = engine.synthesize("One two three four five six seven.", voice, rate=0.7)
    fast, _ = engine.synthesize("One two three four five six seven.", voice, rate=1.5)
    assert len(slow) > 1.5 * len(fast)


@needs_espeak
def test_text_is_passed_as_data_not_as_options():
    engine = get_engine("espeak")
    samples, _ = engine.synthesize("--version; rm -rf / $(reboot)", engine.voices()[0])
    assert len(samples) > 0
