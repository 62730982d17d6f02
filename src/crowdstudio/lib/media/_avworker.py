"""Child process: probe, validate and re-encode one video or audio file with PyAV.

Started by :mod:`crowdstudio.lib.media.avmedia` as ``python -I _avworker.py`` with a JSON job
on stdin; it prints one JSON object (the result) on the original stdout and exits 0, also
when it rejects the file. It is deliberately standalone (imports nothing from crowdstudio):
it then runs isolated from the environment and from the working directory, and the parent
can kill it, cap its memory, CPU time and output size, without touching the web process.

Memory stays flat: packets are decoded, converted and encoded one at a time; the only
picture kept is the chosen poster frame, already shrunk to web size.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
import traceback
from fractions import Fraction
from typing import Any

VIDEO_BOX = 1280  # longest side of the "video" rendition
POSTER_BOX = 1600  # longest side of the poster (the same as an image's web rendition)
POSTER_AT = 1.0  # seconds into the clip for the poster frame
MAX_FPS = 60  # the rendition drops frames above this rate (slow-motion clips)
#: Codec threads. Each one reserves stack and heap address space, so on a many-core host an
#: uncapped count would hit the address-space limit and fail every video.
THREADS = max(1, min(4, os.cpu_count() or 1))
OUT_TIME_BASE = Fraction(1, 90_000)
MIN_FRAME_GAP = 0.9 / (MAX_FPS * OUT_TIME_BASE)  # in OUT_TIME_BASE ticks, with some slack
AAC_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
MAX_PENDING_AUDIO = 4000  # audio frames held while waiting for the first video frame
#: Containers whose announced duration is exact rather than estimated from a bitrate.
EXACT_DURATION_FORMATS = frozenset({"mov", "wav", "flac", "matroska"})
MAX_DECODE_ERRORS = 25  # damaged packets tolerated before the file counts as corrupt

#: ffmpeg's full demuxer names (PyAV reports the short name a container was opened with).
DEMUXER_NAMES = {"mov": "mov,mp4,m4a,3gp,3g2,mj2", "matroska": "matroska,webm"}

#: Codecs we decode (canonical ffmpeg names). Anything else is refused before decoding,
#: which keeps ffmpeg's long tail of rarely used decoders away from untrusted input.
VIDEO_CODECS = frozenset({
    "h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "mjpeg",
    "prores", "theora", "h263", "dnxhd",
})  # fmt: skip
AUDIO_CODECS = frozenset({
    "aac", "mp3", "mp2", "mp1", "opus", "vorbis", "flac", "alac", "ac3", "eac3",
    "amr_nb", "amr_wb", "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_s32le",
    "pcm_s32be", "pcm_f32le", "pcm_f32be", "pcm_f64le", "pcm_u8", "pcm_alaw", "pcm_mulaw",
    "adpcm_ima_wav", "adpcm_ms",
})  # fmt: skip


class Reject(Exception):
    """Refuse the file with a stable code; ``values`` help the parent word the message."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


# --- resource limits ----------------------------------------------------------------------


def limit_resources(job: dict[str, Any]) -> None:
    """Cap address space, CPU seconds, output file size, open files and core dumps."""
    try:
        import resource
    except ImportError:  # not POSIX: the parent's wall-clock timeout still applies
        return

    def cap(which: int, soft: int, hard: int | None = None) -> None:
        _, old_hard = resource.getrlimit(which)
        hard = soft if hard is None else hard
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))

    cap(resource.RLIMIT_AS, int(job["memory_bytes"]))
    cpu = int(job["cpu_seconds"])
    cap(resource.RLIMIT_CPU, cpu, cpu + 5)  # SIGXCPU first, SIGKILL 5 s later
    cap(resource.RLIMIT_FSIZE, int(job["output_bytes"]))
    cap(resource.RLIMIT_NOFILE, 64)
    cap(resource.RLIMIT_CORE, 0)


# --- helpers ------------------------------------------------------------------------------


def even_fit(width: int, height: int, box: int) -> tuple[int, int]:
    """Scale down to fit ``box`` (never up), both sides even as yuv420p requires."""
    scale = min(1.0, box / max(width, height))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def codec_name(stream: Any) -> str:
    ctx = stream.codec_context
    if ctx is None or ctx.codec is None:
        return "none"
    return str(ctx.codec.canonical_name or ctx.name)


def header_duration(container: Any, streams: list[Any]) -> float | None:
    """Duration announced by the container, None when it does not say."""
    if container.duration and container.duration > 0:
        return container.duration / 1_000_000
    for stream in streams:
        if stream.duration and stream.time_base and stream.duration > 0:
            return float(stream.duration * stream.time_base)
    return None


def check_sample_index(path: str, streams: list[Any]) -> None:
    """MP4/MOV index every sample up front: one pointing past the end means a cut-off file."""
    size = os.path.getsize(path)
    for stream in streams:
        for entry in stream.index_entries:
            if entry.pos >= 0 and entry.pos + entry.size > size:
                raise Reject("corrupt")


def start_of(streams: list[Any]) -> float:
    """The earliest stream start, so video and audio keep their relative offset."""
    starts = [
        float(s.start_time * s.time_base)
        for s in streams
        if s.start_time is not None and s.time_base is not None
    ]
    return min(starts) if starts else 0.0


# --- the transcoder -----------------------------------------------------------------------


class Transcoder:
    """Streams decoded frames into the rendition encoders, enforcing the limits on the way."""

    def __init__(
        self, av: Any, container: Any, job: dict[str, Any], kind: str, vs: Any, aus: Any
    ) -> None:
        self.av = av
        self.container = container
        self.job = job
        self.kind = kind
        self.vs = vs
        self.aus = aus
        self.max_duration = float(job["max_duration"])
        self.max_pixels = int(job["max_pixels"])
        self.max_dimension = int(job["max_dimension"])
        self.origin = start_of([s for s in (vs, aus) if s is not None])
        self.out: Any = None
        self.ov: Any = None
        self.oa: Any = None
        self.video_frames = 0
        self.encoded_frames = 0
        self.audio_samples = 0
        self.audio_rate = 0
        self.audio_rate_in = 0  # the source's sample rate, from its frames
        self.audio_next_pts: int | None = None
        self.resampler: Any = None
        self.resampler_key: tuple[Any, ...] | None = None
        self.pending_audio: list[Any] = []
        self.last_out_pts = -1
        self.last_time = 0.0
        self.covered = 0.0  # end time of the last decoded frame of either stream
        self.rotation = 0  # quarter turns counter-clockwise
        self.size = (0, 0)  # display size of the source
        self.scaled = (0, 0)  # encoder size before rotation
        self.poster: Any = None
        self.poster_final = False
        self.poster_target = POSTER_AT
        self.out_path = ""
        self.expected_duration: float | None = None
        rate = float(vs.average_rate or 0) if vs is not None else 0.0
        self.frame_step = 1 / rate if rate > 0 else 1 / 30

    # -- setup --

    def open_output(self, video_frame: Any | None) -> None:
        av = self.av
        out_dir = self.job["out_dir"]
        name = "video.mp4" if self.kind == "video" else "audio.m4a"
        self.out_path = os.path.join(out_dir, name)
        self.out = av.open(
            self.out_path, mode="w", format="mp4", container_options={"movflags": "+faststart"}
        )
        if video_frame is not None:
            width, height = video_frame.width, video_frame.height
            self.rotation = round(video_frame.rotation / 90) % 4
            if self.rotation % 2:
                width, height = height, width
            self.size = (width, height)
            tw, th = even_fit(width, height, VIDEO_BOX)
            self.scaled = (th, tw) if self.rotation % 2 else (tw, th)
            rate = self.vs.average_rate or self.vs.guessed_rate or Fraction(30)
            if not (1 <= rate <= 240):
                rate = Fraction(30)
            rate = Fraction(rate).limit_denominator(1001)
            rate = min(rate, Fraction(MAX_FPS))
            self.ov = self.out.add_stream(
                "libx264", rate=rate,
                options={"crf": "23", "preset": self.preset(rate, tw * th), "profile": "high"},
            )  # fmt: skip
            self.ov.width, self.ov.height = tw, th
            self.ov.pix_fmt = "yuv420p"
            self.ov.codec_context.time_base = OUT_TIME_BASE
            self.ov.codec_context.thread_count = THREADS
        if self.aus is not None:
            ctx = self.aus.codec_context
            rate = ctx.sample_rate if ctx.sample_rate in AAC_RATES else 48000
            layout = "mono" if ctx.channels == 1 else "stereo"
            self.oa = self.out.add_stream("aac", rate=rate, layout=layout)
            self.oa.bit_rate = 128_000 if layout == "stereo" else 96_000
            self.audio_rate = rate

    def preset(self, rate: Fraction, pixels: int) -> str:
        """A faster x264 preset for long clips, so that they fit in the wall-clock budget.

        On two cores "veryfast" does roughly 50-100 frames of 720p a second; a 10-minute
        clip needs "ultrafast" to finish within the default two minutes.
        """
        seconds = self.expected_duration or self.max_duration
        work = seconds * float(rate) * pixels / (1280 * 720)  # in 720p frames
        if work <= 2400:
            return "veryfast"
        if work <= 7200:
            return "superfast"
        return "ultrafast"

    # -- frames --

    def check_time(self, rel: float) -> None:
        if rel > self.max_duration + 0.5:
            raise Reject("too_long", duration=rel)

    def on_video(self, frame: Any) -> None:
        self.video_frames += 1
        if self.video_frames > (self.max_duration + 1) * 240:
            raise Reject("too_long", duration=None)  # timestamps that never advance
        width, height = frame.width, frame.height
        if width * height > self.max_pixels or max(width, height) > self.max_dimension:
            raise Reject("too_many_pixels", width=width, height=height)
        rel = (
            frame.time - self.origin if frame.time is not None else self.last_time + self.frame_step
        )
        self.check_time(rel)
        self.last_time = max(self.last_time, rel)
        self.covered = max(self.covered, rel + self.frame_step)
        if self.out is None:
            self.open_output(frame)
            for pending in self.pending_audio:
                self.encode_audio(pending)
            self.pending_audio.clear()
        self.take_poster(frame, rel)
        pts = max(0, round(rel / OUT_TIME_BASE))
        if self.last_out_pts >= 0 and pts - self.last_out_pts < MIN_FRAME_GAP:
            return  # faster than MAX_FPS: drop this frame from the rendition
        pts = max(pts, self.last_out_pts + 1)
        self.last_out_pts = pts
        sw, sh = self.scaled
        if self.rotation:
            import numpy as np

            rgb = frame.reformat(width=sw, height=sh, format="rgb24", interpolation="BICUBIC")
            turned = np.ascontiguousarray(np.rot90(rgb.to_ndarray(), self.rotation))
            out = self.av.VideoFrame.from_ndarray(turned, format="rgb24")
            out = out.reformat(format="yuv420p")
        else:
            out = frame.reformat(width=sw, height=sh, format="yuv420p", interpolation="BICUBIC")
        out.pts = pts
        out.time_base = OUT_TIME_BASE
        self.out.mux(self.ov.encode(out))
        self.encoded_frames += 1

    def take_poster(self, frame: Any, rel: float) -> None:
        """Keep the first frame, replaced by the first one at or after ~1 s (or mid-clip)."""
        if self.poster_final:
            return
        reached = rel >= self.poster_target
        if self.poster is not None and not reached:
            return
        from PIL import Image

        img = frame.to_image()
        if self.rotation:
            turn = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180,
                    3: Image.Transpose.ROTATE_270}[self.rotation]  # fmt: skip
            img = img.transpose(turn)
        scale = min(1.0, POSTER_BOX / max(img.size))
        if scale < 1.0:
            size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
            img = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        self.poster = img
        self.poster_final = reached

    def on_audio(self, frame: Any) -> None:
        self.audio_samples += frame.samples
        rate = frame.sample_rate or 1
        self.audio_rate_in = rate
        if self.audio_samples / rate > self.max_duration + 1:
            raise Reject("too_long", duration=self.audio_samples / rate)
        if frame.time is not None:
            rel = frame.time - self.origin
            self.check_time(rel)
            self.covered = max(self.covered, rel + frame.samples / rate)
        else:
            self.covered = max(self.covered, self.audio_samples / rate)
        if self.out is None:
            if self.kind == "video":
                if len(self.pending_audio) >= MAX_PENDING_AUDIO:
                    raise Reject("corrupt")
                self.pending_audio.append(frame)
                return
            self.open_output(None)
        self.encode_audio(frame)

    def encode_audio(self, frame: Any) -> None:
        if self.oa is None:
            return
        if self.audio_next_pts is None:
            rel = frame.time - self.origin if frame.time is not None else 0.0
            self.audio_next_pts = max(0, round(rel * self.audio_rate))
        key = (frame.format.name, frame.layout.name, frame.sample_rate)
        if key != self.resampler_key:
            # A mid-stream format change: a fresh resampler instead of an error.
            self.flush_resampler()
            self.resampler = self.av.AudioResampler(
                format="fltp", layout=self.oa.layout.name, rate=self.audio_rate
            )
            self.resampler_key = key
        frame.pts = None
        for piece in self.resampler.resample(frame):
            self.encode_resampled(piece)

    def encode_resampled(self, piece: Any) -> None:
        assert self.audio_next_pts is not None
        piece.pts = self.audio_next_pts
        piece.time_base = Fraction(1, self.audio_rate)
        self.audio_next_pts += piece.samples
        self.out.mux(self.oa.encode(piece))

    def flush_resampler(self) -> None:
        if self.resampler is not None:
            for piece in self.resampler.resample(None):
                self.encode_resampled(piece)

    # -- the loop --

    def run(self) -> None:
        av = self.av
        streams = [s for s in (self.vs, self.aus) if s is not None]
        errors = 0
        try:
            for packet in self.container.demux(streams):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    errors += 1
                    if errors > MAX_DECODE_ERRORS:
                        raise Reject("corrupt") from None
                    continue
                for frame in frames:
                    if packet.stream is self.vs:
                        self.on_video(frame)
                    else:
                        self.on_audio(frame)
        except av.error.InvalidDataError:
            raise Reject("corrupt") from None
        if self.kind == "video" and self.encoded_frames == 0:
            raise Reject("corrupt")
        if self.kind == "audio" and self.audio_samples == 0:
            raise Reject("corrupt")
        for frame in self.pending_audio:  # video frames never came: already rejected above
            self.encode_audio(frame)
        self.flush_resampler()
        if self.ov is not None:
            self.out.mux(self.ov.encode(None))
        if self.oa is not None:
            self.out.mux(self.oa.encode(None))
        self.out.close()
        self.out = None

    def close(self) -> None:
        if self.out is not None:
            try:
                self.out.close()
            except Exception:  # already failing: the original error is what matters
                traceback.print_exc()
            self.out = None


# --- the job ------------------------------------------------------------------------------


def probe_and_transcode(av: Any, container: Any, job: dict[str, Any]) -> dict[str, Any]:
    attached = av.stream.Disposition.attached_pic
    video = [s for s in container.streams.video if not s.disposition & attached]
    audio = list(container.streams.audio)
    if not video and not audio:
        raise Reject("no_streams")
    kind = "video" if video else "audio"
    if kind not in job["allowed_kinds"]:
        raise Reject("kind_not_allowed", kind=kind)
    vs = video[0] if video else None
    aus = audio[0] if audio else None
    for stream in container.streams:
        if stream is not vs and stream is not aus:
            stream.discard = av.stream.Discard.all
    if vs is not None and codec_name(vs) not in VIDEO_CODECS:
        raise Reject("unsupported_codec", codec=codec_name(vs))
    if aus is not None and codec_name(aus) not in AUDIO_CODECS:
        if kind == "audio":
            raise Reject("unsupported_codec", codec=codec_name(aus))
        aus = None  # an odd soundtrack under a good picture: publish the picture alone

    if job["format"] == "mov":
        check_sample_index(job["path"], [s for s in (vs, aus) if s is not None])
    duration = header_duration(container, [s for s in (vs, aus) if s is not None])
    if duration is not None and duration > float(job["max_duration"]):
        raise Reject("too_long", duration=duration)
    width = height = None
    if vs is not None:
        width, height = vs.codec_context.width, vs.codec_context.height
        if width * height > int(job["max_pixels"]) or max(width, height) > int(
            job["max_dimension"]
        ):
            raise Reject("too_many_pixels", width=width, height=height)
        vs.codec_context.thread_type = "AUTO"
        vs.codec_context.thread_count = THREADS

    tr = Transcoder(av, container, job, kind, vs, aus)
    tr.expected_duration = duration
    if duration:
        tr.poster_target = min(POSTER_AT, duration / 2)
    try:
        tr.run()
    finally:
        tr.close()

    if (
        duration is not None
        and job["format"] in EXACT_DURATION_FORMATS
        and tr.covered < duration * 0.9 - 0.2
    ):
        raise Reject("corrupt")  # the data stops well before the announced end: truncated
    renditions: list[dict[str, Any]] = []
    if kind == "video":
        width, height = tr.size
        tw, th = even_fit(width, height, VIDEO_BOX)
        renditions.append(
            {"role": "video", "file": "video.mp4", "content_type": "video/mp4",
             "width": tw, "height": th}
        )  # fmt: skip
        poster = tr.poster
        poster_path = os.path.join(job["out_dir"], "poster.jpg")
        poster.save(poster_path, "JPEG", quality=85, optimize=True, progressive=True)
        renditions.append(
            {"role": "poster", "file": "poster.jpg", "content_type": "image/jpeg",
             "width": poster.width, "height": poster.height}
        )  # fmt: skip
    else:
        renditions.append(
            {"role": "audio", "file": "audio.m4a", "content_type": "audio/mp4",
             "width": None, "height": None}
        )  # fmt: skip
    if duration is None:
        if kind == "video":
            duration = tr.last_time + tr.frame_step
        else:
            duration = tr.audio_samples / (tr.audio_rate_in or 1)
    codecs = [codec_name(s) for s in container.streams if s is vs or s is aus]
    return {
        "ok": True,
        "kind": kind,
        "format_name": DEMUXER_NAMES.get(job["format"], job["format"]),
        "width": width if kind == "video" else None,
        "height": height if kind == "video" else None,
        "duration": round(float(duration), 3),
        "codecs": codecs,
        "stream_count": len(container.streams),
        "renditions": renditions,
    }


def decoder_whitelist(av: Any) -> str:
    """Decoder names ffmpeg may open while probing: those of the allowed codecs."""
    names = set(VIDEO_CODECS | AUDIO_CODECS)
    for name in VIDEO_CODECS | AUDIO_CODECS:
        with contextlib.suppress(Exception):  # a codec not built into this ffmpeg
            names.add(av.codec.Codec(name, "r").name)
    names.update({"libdav1d", "libvpx-vp9", "libvpx", "libopus", "libvorbis", "mp3float"})
    return ",".join(sorted(names))


def run(job: dict[str, Any]) -> dict[str, Any]:
    try:
        import av
        import av.stream
    except ImportError:
        import importlib.util

        if importlib.util.find_spec("av") is None:
            raise Reject("unsupported_type") from None
        raise  # installed but unloadable (e.g. the memory cap is too low): our problem
    av.logging.set_level(None)  # ffmpeg's console chatter would only fill our stderr pipe
    path = os.path.abspath(job["path"])
    try:
        container = av.open(
            "file:" + path,
            mode="r",
            format=job["format"],
            container_options={
                # No network, no pipes, no nested files: the demuxer named by the magic bytes
                # reads this one file and nothing else.
                "protocol_whitelist": "file",
                "format_whitelist": job["format"],
                "codec_whitelist": decoder_whitelist(av),
                "enable_drefs": "0",
                "max_streams": "64",
            },
            metadata_errors="replace",
        )
    except av.error.FFmpegError:
        raise Reject("corrupt") from None
    with container:
        return probe_and_transcode(av, container, job)


def main() -> int:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # anything native code prints goes to stderr, never into our JSON
    try:
        job = json.loads(sys.stdin.buffer.read(1 << 20))
        limit_resources(job)
        result = run(job)
    except Reject as rej:
        result = {"ok": False, "code": rej.code, **rej.values}
    except MemoryError:
        traceback.print_exc()
        result = {"ok": False, "code": "corrupt", "reason": "memory"}
    except ImportError as exc:
        traceback.print_exc()
        result = {"ok": False, "code": "internal", "detail": str(exc)}
    except OSError as exc:
        traceback.print_exc()
        code = "output_too_large" if exc.errno == errno.EFBIG else "corrupt"
        result = {"ok": False, "code": code}
    except Exception:  # a decoder choking on hostile input: the file is "damaged"
        traceback.print_exc()
        result = {"ok": False, "code": "corrupt"}
    try:
        answer = json.dumps(result, allow_nan=False, default=str)
    except ValueError:  # NaN or infinity from absurd timestamps
        answer = json.dumps({"ok": False, "code": "corrupt"})
    os.write(result_fd, answer.encode())
    os.close(result_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
