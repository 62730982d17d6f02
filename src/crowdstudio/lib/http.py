"""Small request helpers shared by the views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The POSTed `next` address if it stays on this site, else `fallback` (no open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def content_length(request: HttpRequest) -> int:
    """The declared body size; 0 when absent or malformed."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


#: htmx stops polling an element when the answer has this status (the work it watched is over).
HTMX_STOP_POLLING = 286

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024


def _offset(digits: str) -> int | None:
    """A range's byte offset; None when empty. Past 18 digits it is beyond any file (and
    int() of thousands of digits would raise)."""
    if not digits:
        return None
    return int(digits) if len(digits) <= 18 else 10**18


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single "bytes=a-b" range of a `size`-byte file. None when there is
    no usable range (absent, malformed, or last before first, which RFC 9110 says to ignore):
    the whole file is sent. (size, size) when it starts past the end: 416."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = (_offset(g) for g in match.groups())
    if first is None:
        length = min(last or 0, size)
        return (size - length, size - 1) if length else (size, size)
    if last is not None and last < first:
        return None
    if first >= size:
        return (size, size)
    return (first, min(last, size - 1) if last is not None else size - 1)


def _chunks(handle: Any, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            data = handle.read(min(_CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def private_file_response(
    request: HttpRequest,
    handle: Any,
    *,
    size: int,
    filename: str,
    content_type: str,
    attachment: bool,
) -> HttpResponseBase:
    """A generated file from private storage, after the caller checked permissions: whole (as
    an attachment or inline) or, for a media player, by byte range so it can seek. Never cached
    by shared caches, never sniffed."""
    wanted = None if attachment else byte_range(request.headers.get("Range", ""), size)
    response: HttpResponseBase
    if wanted is not None and wanted[0] >= size:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is not None:
        start, end = wanted
        handle.seek(start)
        response = StreamingHttpResponse(
            _chunks(handle, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = FileResponse(
            handle, as_attachment=attachment, filename=filename, content_type=content_type
        )
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
