"""Messages for the entrant about their files, by stable intake code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

INTAKE_MESSAGES = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is larger than this campaign accepts."),
    "unsupported_type": gettext_lazy(
        "This type of file is not accepted. Send a JPEG, PNG, WebP, HEIC or GIF photo, "
        "an MP4, MOV or WebM video, or a WAV, MP3, FLAC or Ogg audio file."
    ),
    "kind_not_allowed": gettext_lazy("This campaign does not accept this kind of media."),
    "corrupt": gettext_lazy("The file is truncated or damaged and could not be decoded."),
    "too_many_pixels": gettext_lazy(
        "The image or video frame is larger than this campaign accepts."
    ),
    "decompression_bomb": gettext_lazy(
        "The image declares an enormous size and was refused for safety."
    ),
    "too_long": gettext_lazy("The recording is longer than this campaign accepts."),
    "no_streams": gettext_lazy("The file contains no playable video or audio."),
    "timeout": gettext_lazy("The file took too long to decode and was refused."),
    "duplicate": gettext_lazy("This exact file has already been entered in this campaign."),
    "internal_error": gettext_lazy(
        "We could not process this file because of a problem on our side. Your original is kept "
        "and the team has been told."
    ),
}


def intake_message(code: str, fallback: str = "") -> str:
    message = INTAKE_MESSAGES.get(code)
    return str(message) if message is not None else fallback
