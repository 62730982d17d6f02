"""Table-read pages: the panel on the version page (also polled by htmx while a read renders),
the request form, the audio (inline with byte ranges for the player, or as a download) and the
WebVTT chapters track. Seeing follows the version (screenplays.access); requesting is for the
writer and the campaign's team (tableread_services.can_request)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.http import private_file_response, safe_next
from crowdstudio.lib.speech import SpeechError
from crowdstudio.screenplays import access, tableread_services
from crowdstudio.screenplays.forms_tableread import TableReadForm
from crowdstudio.screenplays.models import ScriptVersion, TableRead, TableReadStatus


def _read_for(user: Any, pk: int) -> TableRead:
    read = TableRead.objects.select_related("version").filter(pk=pk).first()
    if read is None:
        raise Http404("No such table read")
    screenplay = access.get_screenplay_for_user(user, read.version.screenplay_id)
    read.version.screenplay = screenplay
    return read


def panel_context(request: HttpRequest, version: ScriptVersion, form: Any = None) -> dict[str, Any]:
    """What the panel template needs (also used by the `table_read_panel` template tag)."""
    screenplay = version.screenplay
    reads = list(version.table_reads.order_by("-created_at")[:10])
    may_request = tableread_services.can_request(request.user, screenplay)
    active = any(read.status in tableread_services.ACTIVE for read in reads)
    has_text = bool(version.elements)
    if may_request and form is None and has_text and not active:
        # Only when shown: the panel is polled every 2 s while a read renders.
        form = _form(version)
    return {
        "version": version,
        "screenplay": screenplay,
        "reads": reads,
        "form": form if may_request else None,
        "may_request": may_request,
        "active": active,
        "has_text": has_text,
        "panel_url": reverse(
            "table_read_panel", kwargs={"pk": screenplay.pk, "number": version.number}
        ),
        "version_url": reverse(
            "screenplay_version", kwargs={"pk": screenplay.pk, "number": version.number}
        ),
        "request": request,
    }


def _form(version: ScriptVersion, data: Any = None) -> TableReadForm | None:
    try:
        engine = tableread_services.get_engine(tableread_services.engine_name())
    except SpeechError:
        return None
    script = tableread_services.version_script(version)
    return TableReadForm(
        data,
        characters=script.speakers(),
        voices=engine.voices(),
        suggestion=tableread_services.suggested_casting(version=version, engine=engine),
    )


@require_GET
def table_read_panel(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    return render(request, "screenplays/tableread/_panel.html", panel_context(request, version))


@login_required
@require_POST
def table_read_create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    back = safe_next(request, reverse("screenplay_version", kwargs={"pk": pk, "number": number}))
    if not tableread_services.can_request(request.user, version.screenplay):
        return HttpResponse(status=403)
    form = _form(version, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Please choose a voice for every role."))
        return HttpResponseRedirect(back)
    try:
        tableread_services.table_read_request(
            version=version, user=request.user, casting=form.casting()
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The table read is queued; this page shows its progress."))
    return HttpResponseRedirect(back)


@require_GET
def table_read_status(request: HttpRequest, pk: int) -> HttpResponse:
    read = _read_for(request.user, pk)
    return render(request, "screenplays/tableread/_read.html", {"read": read})


def _audio_response(request: HttpRequest, read: TableRead, *, attachment: bool) -> HttpResponseBase:
    try:
        handle = tableread_services.open_output(read)
    except ServiceError as error:
        raise Http404(error.message) from None
    stem = slugify(read.version.screenplay.title) or "screenplay"
    filename = f"{stem}-v{read.version.number}-table-read.m4a"
    return private_file_response(
        request,
        handle,
        size=handle.size,
        filename=filename,
        content_type=read.output_mime,
        attachment=attachment,
    )


@require_GET
def table_read_audio(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _audio_response(request, _read_for(request.user, pk), attachment=False)


@require_GET
def table_read_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _audio_response(request, _read_for(request.user, pk), attachment=True)


@require_GET
def table_read_chapters(request: HttpRequest, pk: int) -> HttpResponse:
    read = _read_for(request.user, pk)
    if read.status != TableReadStatus.DONE:
        raise Http404("This table read is not ready yet.")
    response = HttpResponse(
        tableread_services.chapters_vtt(read), content_type="text/vtt; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response
