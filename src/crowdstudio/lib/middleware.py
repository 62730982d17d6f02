"""Refuse request bodies larger than any campaign could accept, before anything is read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from crowdstudio.lib.http import content_length


class RequestSizeLimitMiddleware:
    """A 413 for bodies above the installation's ceiling (largest file × files per entry).

    Django streams uploaded files to disk without a size limit of its own; this stops a huge
    body at the door. Each campaign's own, smaller limits are checked by the entry form and the
    services.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.ceiling = (
            settings.CROWDSTUDIO_MAX_UPLOAD_BYTES * settings.CROWDSTUDIO_MAX_FILES_PER_ENTRY
            + 1024 * 1024
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if content_length(request) > self.ceiling:
            message = _("The upload is larger than this installation accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message, "code": "too_large"}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
