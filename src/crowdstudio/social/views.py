"""Studio pages of hashtag sources and imported posts. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.lib.errors import ServiceError
from crowdstudio.social import selectors, services
from crowdstudio.social.access import get_source_for_user
from crowdstudio.social.forms import SourceConnectForm, SourceEditForm, add_service_error


def _sources_page(
    request: HttpRequest, campaign: Any, form: SourceConnectForm | None, status: int = 200
) -> HttpResponse:
    can_edit = has_capability(request.user, campaign.organisation_id, Capability.EDIT_CAMPAIGN)
    return render(
        request,
        "social/sources.html",
        {
            "campaign": campaign,
            "rows": selectors.source_rows(campaign),
            "form": (form or SourceConnectForm()) if can_edit else None,
            "can_edit": can_edit,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def social_sources(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.VIEW_BACKOFFICE)
    return _sources_page(request, campaign, None)


@login_required
@require_POST
def social_source_connect(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = SourceConnectForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = services.source_connect(
                campaign=campaign,
                user=request.user,
                network=data["network"],
                hashtag=data["hashtag"],
                instance=data["instance"],
                account=data["account"],
                secret=data["secret"],
                since=data["since"],
                poll_interval_seconds=data["poll_minutes"] * 60,
            )
        except ServiceError as error:
            add_service_error(form, error.code, error.message)
        else:
            messages.success(
                request,
                _("#%(tag)s is connected; the first poll runs within a minute.")
                % {"tag": source.hashtag},
            )
            return redirect("social_sources", slug=campaign.slug)
    return _sources_page(request, campaign, form, status=400)


@login_required
def social_source_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    source = get_source_for_user(request.user, slug, pk)
    initial = {
        "account": source.account,
        "since": source.since,
        "poll_minutes": source.poll_interval_seconds // 60,
    }
    form = SourceEditForm(initial=initial)
    if request.method == "POST":
        form = SourceEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.source_update(
                    source=source,
                    user=request.user,
                    account=data["account"],
                    secret=data["secret"],
                    since=data["since"],
                    poll_interval_seconds=data["poll_minutes"] * 60,
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("The source is saved."))
                return redirect("social_sources", slug=slug)
    return render(
        request,
        "social/source_edit.html",
        {"campaign": source.campaign, "source": source, "form": form},
        status=400 if form.errors else 200,
    )


def _source_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    source = get_source_for_user(request.user, slug, pk)
    try:
        if action == "poll":
            queued = services.source_poll_now(source=source, user=request.user)
            messages.success(
                request,
                _("A poll is queued.") if queued else _("A poll is already queued."),
            )
        elif action == "pause":
            services.source_pause(source=source, user=request.user)
            messages.success(request, _("The source is paused."))
        else:
            services.source_resume(source=source, user=request.user)
            messages.success(request, _("The source is polled again."))
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("social_sources", slug=slug)


@login_required
@require_POST
def social_source_poll(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _source_action(request, slug, pk, "poll")


@login_required
@require_POST
def social_source_pause(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _source_action(request, slug, pk, "pause")


@login_required
@require_POST
def social_source_resume(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _source_action(request, slug, pk, "resume")


@login_required
@require_GET
def social_posts(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.VIEW_BACKOFFICE)
    page = Paginator(selectors.campaign_posts(campaign), 50).get_page(request.GET.get("page"))
    return render(request, "social/posts.html", {"campaign": campaign, "page": page})
