"""Entering a campaign, following one's entries, and moderating them. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.audit.selectors import audit_for_object
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.models import CampaignStatus
from crowdstudio.campaigns.services import current_terms
from crowdstudio.entries import selectors, services
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.entries.forms import (
    BulkModerationForm,
    EntryForm,
    ModerationDecisionForm,
    ModerationFilterForm,
    TrackForm,
)
from crowdstudio.entries.models import EntryStatus
from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.http import HTMX_STOP_POLLING, content_length, safe_next
from crowdstudio.lib.markdown import render_markdown

IN_PROGRESS = (EntryStatus.RECEIVED, EntryStatus.PROCESSING)
#: htmx stops polling when a response has this status code.


@login_required
def entry_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    if campaign.kind == "script":  # a screenplay is entered with its own form (screenplays app)
        return redirect("screenplay_submit", slug=campaign.slug)
    terms = current_terms(campaign)
    accepting = campaign.status == CampaignStatus.OPEN and campaign.round_open_at(timezone.now())
    form = EntryForm(
        campaign=campaign,
        user=request.user,
        initial={"terms_version_id": terms.id if terms else None},
    )
    status = 200
    upload_error = ""
    if request.method == "POST" and accepting:
        # Refuse an oversized body before Django spools it to disk.
        ceiling = campaign.max_file_mb * 1024 * 1024 * campaign.max_files_per_entry + 1024 * 1024
        if content_length(request) > ceiling:
            upload_error = _(
                "The upload is larger than this campaign accepts (%(mb)s MB per file)."
            ) % {"mb": campaign.max_file_mb}
            status = 413
        else:
            form = EntryForm(request.POST, request.FILES, campaign=campaign, user=request.user)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    entry = services.entry_submit(
                        campaign=campaign,
                        author=request.user,
                        title=data["title"],
                        description=data["description"],
                        files=data["uploads"],
                        terms_version_id=data["terms_version_id"],
                        accept_terms=data["accept_terms"],
                        applicant=form.applicant(),
                        submission_key=data["submission_key"],
                        language=get_language() or "",
                    )
                except ServiceError as error:
                    status = error.status
                    if error.code == "terms_changed" and terms is not None:
                        # Show the new terms; the files must be chosen again anyway.
                        bound = request.POST.copy()
                        bound["terms_version_id"] = str(terms.id)
                        bound.pop("accept_terms", None)
                        form = EntryForm(bound, campaign=campaign, user=request.user)
                        form.is_valid()
                    form.add_error(None, error.message)
                else:
                    messages.success(
                        request, _("Thank you! Your entry is in. We are checking your files now.")
                    )
                    return redirect("entry", pk=entry.pk)
            else:
                status = 400
    return render(
        request,
        "entries/entry_form.html",
        {
            "campaign": campaign,
            "terms": terms,
            "form": form,
            "accepting": accepting,
            "upload_error": upload_error,
            # The service refuses them too; this spares them a form they cannot send.
            "is_organiser": has_capability(
                request.user, campaign.organisation_id, Capability.VIEW_BACKOFFICE
            ),
            "terms_html": render_markdown(terms.body) if terms else "",
        },
        status=status,
    )


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    is_staff = has_capability(
        request.user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE
    )
    can_moderate = has_capability(request.user, entry.campaign.organisation_id, Capability.MODERATE)
    return render(
        request,
        "entries/entry_detail.html",
        {
            "entry": entry,
            "is_author": request.user.is_authenticated and entry.author_id == request.user.pk,
            "is_staff": is_staff,
            "can_moderate": can_moderate,
            "in_progress": entry.status in IN_PROGRESS,
        },
    )


@require_GET
def entry_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status badge and message, polled by htmx while intake runs: author and team only."""
    entry = get_entry_for_user(request.user, pk)
    is_author = request.user.is_authenticated and entry.author_id == request.user.pk
    if not is_author and not has_capability(
        request.user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE
    ):
        raise Http404("No such entry")
    in_progress = entry.status in IN_PROGRESS
    response = render(
        request, "entries/_entry_status.html", {"entry": entry, "in_progress": in_progress}
    )
    if not in_progress and request.headers.get("HX-Request"):
        response.status_code = HTMX_STOP_POLLING
    return response


@login_required
def my_entries(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.entries_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "entries/my_entries.html", {"page": page, "in_progress": IN_PROGRESS})


@login_required
def moderation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.MODERATE)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = EntryStatus.AWAITING_MODERATION
    filters = ModerationFilterForm(params)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    queue = selectors.moderation_queue(
        campaign,
        status=cleaned.get("status", ""),
        kind=cleaned.get("kind", ""),
        flagged=cleaned.get("flagged", False),
        query=cleaned.get("q", ""),
    )
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "entries/moderation_queue.html",
        {
            "campaign": campaign,
            "filters": filters,
            "page": page,
            "counts": selectors.moderation_counts(campaign),
            "query_string": params.urlencode(),
        },
    )


@login_required
@require_POST
def moderation_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.MODERATE)
    queue_url = reverse("moderation_queue", kwargs={"slug": campaign.slug})
    ids = list(campaign.entries.values_list("id", flat=True))
    form = BulkModerationForm(request.POST, entry_ids=ids)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(safe_next(request, queue_url))
    try:
        done, problems = services.entries_moderate_bulk(
            campaign=campaign,
            entry_ids=form.cleaned_data["entry_ids"],
            user=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if done:
            messages.success(
                request,
                ngettext("%(n)s entry updated.", "%(n)s entries updated.", done) % {"n": done},
            )
        for problem in problems:
            messages.error(request, problem)
    return redirect(safe_next(request, queue_url))


@login_required
def moderation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, Capability.MODERATE)
    return render(
        request,
        "entries/moderation_detail.html",
        {
            "entry": entry,
            "form": ModerationDecisionForm(),
            "near_duplicates": selectors.near_duplicate_group(entry),
            "audit": audit_for_object(entry)[:100],
            "can_decide": entry.status in services.MODERATION_TRANSITIONS,
        },
    )


@login_required
@require_POST
def moderation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, Capability.MODERATE)
    form = ModerationDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.entry_moderate(
                entry=entry,
                user=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                (
                    _("“%(title)s” is approved.")
                    if entry.status == EntryStatus.APPROVED
                    else _("“%(title)s” is rejected; the entrant has been told why.")
                )
                % {"title": entry.title},
            )
            following = (
                selectors.moderation_queue(entry.campaign, status=EntryStatus.AWAITING_MODERATION)
                .exclude(pk=entry.pk)
                .first()
            )
            if following is not None and request.POST.get("then") == "next":
                return redirect("moderation_detail", pk=following.pk)
            return redirect(
                safe_next(
                    request, reverse("moderation_queue", kwargs={"slug": entry.campaign.slug})
                )
            )
    return render(
        request,
        "entries/moderation_detail.html",
        {
            "entry": entry,
            "form": form,
            "near_duplicates": selectors.near_duplicate_group(entry),
            "audit": audit_for_object(entry)[:100],
            "can_decide": entry.status in services.MODERATION_TRANSITIONS,
        },
        status=400,
    )


@login_required
def track_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """The studio uploads the campaign's music track (the song fans make the video for)."""
    campaign = get_campaign_for_user(request.user, slug, Capability.EDIT_CAMPAIGN)
    form = TrackForm()
    if request.method == "POST":
        form = TrackForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                track = services.track_upload(
                    campaign=campaign,
                    user=request.user,
                    upload=form.cleaned_data["audio"],
                    title=form.cleaned_data["title"],
                    artist=form.cleaned_data["artist"],
                )
            except ServiceError as error:
                form.add_error("audio", error.message)
            else:
                messages.success(
                    request, _("“%(title)s” is on the campaign page.") % {"title": track.title}
                )
                return redirect("track_upload", slug=campaign.slug)
    return render(
        request,
        "entries/tracks.html",
        {"campaign": campaign, "form": form, "tracks": campaign.tracks.all()},
        status=400 if form.errors else 200,
    )
