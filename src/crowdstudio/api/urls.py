"""The JSON API, mounted at /api/; OpenAPI schema at /api/openapi.json, docs at /api/docs.

Every error is `{"message": "...", "code": "..."}` (see `schemas.ErrorOut`) with a fitting status:
a `ServiceError` keeps its own code and status, 404 is `not_found`, 403 `forbidden`, 401
`unauthenticated`, invalid input 422 `invalid` (with per-field `errors`), and anything unexpected
500 `server_error` with a generic message; the traceback only goes to the log.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from crowdstudio.api import (
    awards,
    campaigns,
    community,
    entries,
    judging,
    moderation,
    rights,
    screenplays,
    social,
    studio,
    voting,
)
from crowdstudio.api.auth import AUTHENTICATED, CsrfFailed
from crowdstudio.lib.errors import ServiceError

logger = logging.getLogger(__name__)

DESCRIPTION = """
The crowdstudio API for scripts and the browser.

**Authentication.** Scripts send `Authorization: Bearer cs_…` with a personal token (create one
under *Me → API tokens*). Browser code uses the session cookie and must send the `X-CSRFToken`
header on POST/PATCH. Campaign and entry listings also answer without authentication, showing
only what is public.

**Errors** are always JSON: `{"message": "…", "code": "…"}`, plus `errors` (per field) for 422.

**Lists** are paginated with `page` and `page_size` and answer `{"items": […], "count": n}`.
"""

api = NinjaAPI(
    title="crowdstudio API",
    version="1",
    description=DESCRIPTION,
    auth=AUTHENTICATED,
    urls_namespace="api",
)

api.add_router("/campaigns", campaigns.router)
api.add_router("", entries.router)
api.add_router("", moderation.router)
api.add_router("", community.router)
api.add_router("", voting.router)
api.add_router("", judging.router)
api.add_router("", awards.router)
api.add_router("", social.router)
api.add_router("", rights.router)
api.add_router("", studio.router)
api.add_router("", screenplays.router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"message": message, "code": code, **extra}, status=status)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You do not have permission to do this."))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja reports e.g. ("body", "payload", "title"): drop the source and the parameter name.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "form", "query", "path", "header", "cookie", "file"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:] or ["body"]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _error(request, 422, "invalid", summary or _("The request is not valid."), errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else _("Authentication required.")
    response = _error(request, 401, "unauthenticated", message)
    response["WWW-Authenticate"] = 'Bearer realm="crowdstudio"'
    return response


_CODES_BY_STATUS = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    413: "too_large",
    429: "throttled",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, CsrfFailed):
        return _error(request, 403, "csrf_failed", exc.message)
    if isinstance(exc.__cause__, ValueError):
        # ninja turns an unparsable body (bad JSON, bad encoding) into a 400; for the client it
        # is invalid input like any other, so it is answered as such.
        return _error(request, 422, "invalid", _("The request body is not valid JSON."))
    response = _error(
        request, exc.status_code, _CODES_BY_STATUS.get(exc.status_code, "error"), exc.message
    )
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    return _error(
        request, 500, "server_error", _("Something went wrong on our side. The team has been told.")
    )
