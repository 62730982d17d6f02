"""The Director's pages: a campaign's montages, the plan page with its edits, renders and
their downloads. Thin: parse, call one service, render. Directors are the people who may edit
the campaign (Capability.EDIT_CAMPAIGN); see `selectors.get_montage_for_user`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.http import HTMX_STOP_POLLING, private_file_response
from crowdstudio.studio import selectors, services
from crowdstudio.studio.forms import EditForm, MontageForm, RenderForm, ReplanForm
from crowdstudio.studio.models import Montage, MontageRender, RenderStatus


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Please check the form.")


# --- a campaign's montages ----------------------------------------------------------------------


def _home(
    request: HttpRequest, campaign: Any, form: MontageForm, status: int = 200
) -> HttpResponse:
    montages = list(selectors.montages_of(campaign))
    return render(
        request,
        "studio/director.html",
        {
            "campaign": campaign,
            "montages": [(m, selectors.planning_state(m)) for m in montages],
            "form": form,
            "has_tracks": selectors.tracks_of(campaign).exists(),
        },
        status=status,
    )


@login_required
@require_GET
def director(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    return _home(request, campaign, MontageForm(campaign=campaign))


@login_required
@require_POST
def director_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = MontageForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            montage = services.montage_create(
                campaign=campaign,
                user=request.user,
                title=data["title"],
                track=data["track"],
                seed=data["seed"],
                fps=data["fps"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The plan is being made. This page shows its progress."))
            return redirect("director_montage", pk=montage.pk)
    return _home(request, campaign, form, status=400)


# --- the plan page ------------------------------------------------------------------------------


def _plan_context(montage: Montage) -> dict[str, Any]:
    state = selectors.state_of(montage)
    current = selectors.plan_of(montage)
    renders = list(selectors.renders_of(montage)[:20])
    return {
        "montage": montage,
        "campaign": montage.campaign,
        "state": state,
        "plan": current,
        "rows": selectors.shot_rows(montage, current) if current else [],
        "spare": selectors.spare_rows(montage, current) if current else [],
        "credits": current.credits() if current else [],
        "renders": renders,
        "render_form": RenderForm(initial={"revision": montage.plan_revision}),
        "replan_form": ReplanForm(
            initial={"revision": montage.plan_revision, "seed": montage.seed + 1}
        ),
        "dropped_count": len(montage.dropped_assets or []),
    }


@login_required
@require_GET
def director_montage(request: HttpRequest, pk: int) -> HttpResponse:
    montage = selectors.get_montage_for_user(request.user, pk)
    return render(request, "studio/montage.html", _plan_context(montage))


@login_required
@require_GET
def director_montage_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The planning progress, polled by htmx; once the plan is made the page reloads."""
    montage = selectors.get_montage_for_user(request.user, pk)
    state = selectors.state_of(montage)
    response = render(request, "studio/_planning.html", {"montage": montage, "state": state})
    if state["state"] != selectors.PLANNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _back(montage_id: int) -> HttpResponse:
    return redirect("director_montage", pk=montage_id)


@login_required
@require_POST
def director_edit(request: HttpRequest, pk: int) -> HttpResponse:
    montage = selectors.get_montage_for_user(request.user, pk)
    form = EditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(montage.pk)
    data = form.cleaned_data
    try:
        services.montage_edit(
            montage=montage,
            user=request.user,
            revision=data["revision"],
            action=data["action"],
            slot=data["slot"],
            asset_id=data.get("asset"),
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is updated."))
    return _back(montage.pk)


@login_required
@require_POST
def director_replan(request: HttpRequest, pk: int) -> HttpResponse:
    montage = selectors.get_montage_for_user(request.user, pk)
    form = ReplanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(montage.pk)
    try:
        services.montage_replan(
            montage=montage,
            user=request.user,
            revision=form.cleaned_data["revision"],
            seed=form.cleaned_data["seed"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is being made again."))
    return _back(montage.pk)


@login_required
@require_POST
def director_render(request: HttpRequest, pk: int) -> HttpResponse:
    montage = selectors.get_montage_for_user(request.user, pk)
    form = RenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(montage.pk)
    try:
        services.montage_render_request(
            montage=montage,
            user=request.user,
            revision=form.cleaned_data["revision"],
            shapes=form.cleaned_data["shapes"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Rendering. The progress shows below."))
    return _back(montage.pk)


# --- renders ------------------------------------------------------------------------------------


@login_required
@require_GET
def director_render_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One render's row (stage, percent, result), polled by htmx while it runs."""
    item = selectors.get_render_for_user(request.user, pk)
    response = render(request, "studio/_render.html", {"r": item})
    if item.status not in selectors.ACTIVE_RENDER and request.headers.get("HX-Request"):
        response.status_code = HTMX_STOP_POLLING
    return response


def _stream(request: HttpRequest, item: MontageRender, *, attachment: bool) -> HttpResponseBase:
    """The render's MP4 from the private storage: whole (download) or, for the <video>
    preview, also by byte range so the browser can seek."""
    if item.status != RenderStatus.DONE or not item.output_name:
        raise Http404("This render has no video (yet).")
    storage = storages["works"]
    try:
        handle = storage.open(item.output_name, "rb")
    except FileNotFoundError:
        raise Http404("The video file is gone.") from None
    name = f"{slugify(item.montage.title) or 'montage'}-{item.shape}.mp4"
    return private_file_response(
        request,
        handle,
        size=storage.size(item.output_name),
        filename=name,
        content_type="video/mp4",
        attachment=attachment,
    )


@login_required
@require_GET
def director_render_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _stream(request, selectors.get_render_for_user(request.user, pk), attachment=True)


@login_required
@require_GET
def director_render_preview(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _stream(request, selectors.get_render_for_user(request.user, pk), attachment=False)
