"""Community pages: discussion on entries, follows, notifications. Thin: parse, call, render.

Every form posts and redirects without JavaScript; with htmx (the `HX-Request` header) the
view answers with the fragment to swap instead of a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.community import selectors, services
from crowdstudio.community.access import get_comment_for_user
from crowdstudio.community.forms import (
    CommentEditForm,
    CommentForm,
    ModerateCommentForm,
    NotificationSettingsForm,
    ReportForm,
    ReviewForm,
)
from crowdstudio.community.messages import notification_path
from crowdstudio.community.models import Comment
from crowdstudio.community.templatetags.community_tags import (
    comments_context,
    follow_context,
    reviews_context,
)
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.entries.models import Entry
from crowdstudio.lib.errors import NotAllowed, ServiceError
from crowdstudio.lib.http import safe_next


def _htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _entry_url(entry: Entry | int, anchor: str = "") -> str:
    pk = entry if isinstance(entry, int) else entry.pk
    return reverse("entry", kwargs={"pk": pk}) + (f"#{anchor}" if anchor else "")


def _form_errors(form: Any) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


# --- comments -------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    form = CommentForm(request.POST)
    comment = None
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_comment_for_user(request.user, form.cleaned_data["parent"])
        try:
            comment = services.comment_post(
                entry=entry, user=request.user, body=form.cleaned_data["body"], parent=parent
            )
        except ServiceError as error:
            form.add_error(None, error.message)
    if _htmx(request):
        # Errors are shown inside the swapped fragment, so it is answered with 200.
        context = comments_context(request, entry, form=form if comment is None else None)
        return render(request, "community/_comments.html", context)
    if comment is not None:
        return redirect(_entry_url(entry, f"comment-{comment.pk}"))
    return render(
        request, "community/comment_form.html", {"entry": entry, "form": form}, status=400
    )


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    form = CommentEditForm(initial={"body": comment.body})
    status = 200
    notice = ""
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                comment = services.comment_edit(
                    comment=comment, user=request.user, body=form.cleaned_data["body"]
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                if _htmx(request):
                    return _comment_fragment(request, comment)
                messages.success(request, _("Your comment is updated."))
                return redirect(_entry_url(comment.entry_id, f"comment-{comment.pk}"))
        else:
            status = 400
    elif not services.comment_can_edit(comment, request.user):
        status = 409
        notice = _("This comment can no longer be edited.")
    template = "community/_comment_edit.html" if _htmx(request) else "community/comment_edit.html"
    return render(
        request,
        template,
        {"comment": comment, "entry": comment.entry, "form": form, "notice": notice},
        status=200 if _htmx(request) else status,
    )


def _comment_fragment(request: HttpRequest, comment: Comment) -> HttpResponse:
    context = comments_context(request, comment.entry)
    context["comment"] = comment
    return render(request, "community/_comment.html", context)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk)
    try:
        comment = services.comment_delete(comment=comment, user=request.user)
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from refused
    except ServiceError as error:
        if _htmx(request):
            return HttpResponse(error.message, status=error.status)
        messages.error(request, error.message)
        return redirect(_entry_url(comment.entry_id, f"comment-{comment.pk}"))
    if _htmx(request):
        return _comment_fragment(request, comment)
    messages.success(request, _("Your comment is deleted."))
    return redirect(_entry_url(comment.entry_id, f"comment-{comment.pk}"))


@login_required
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk)
    form = ReportForm()
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.comment_report(
                    comment=comment,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Thank you. The moderators will look at this comment."))
                return redirect(_entry_url(comment.entry_id, f"comment-{comment.pk}"))
        else:
            status = 400
    return render(
        request,
        "community/comment_report.html",
        {"comment": comment, "entry": comment.entry, "form": form},
        status=status,
    )


@login_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk, Capability.MODERATE)
    form = ModerateCommentForm(request.POST)
    fallback = reverse("community_reports", kwargs={"slug": comment.entry.campaign.slug})
    if not form.is_valid():
        for error in _form_errors(form):
            messages.error(request, error)
        return redirect(safe_next(request, fallback))
    try:
        services.comment_moderate(
            comment=comment,
            user=request.user,
            hide=form.cleaned_data["action"] == "hide",
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The comment is hidden.")
            if form.cleaned_data["action"] == "hide"
            else _("The comment is visible again."),
        )
    return redirect(safe_next(request, fallback))


@login_required
@require_GET
def community_reports(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.MODERATE)
    show = request.GET.get("show", "open")
    if show not in ("open", "hidden", "all"):
        show = "open"
    page = Paginator(selectors.reports_queue(campaign, show=show), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/reports.html",
        {
            "campaign": campaign,
            "page": page,
            "show": show,
            "form": ModerateCommentForm(),
            "query_string": f"show={show}",
        },
    )


# --- reviews --------------------------------------------------------------------------------


@login_required
def review_save(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    mine = selectors.my_review(entry, request.user)
    form = ReviewForm(initial={"rating": mine.rating, "advice": mine.advice} if mine else None)
    status = 200
    refusal = services.review_refusal(entry, request.user)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                _review, created = services.review_save(
                    entry=entry,
                    user=request.user,
                    rating=form.cleaned_data["rating"],
                    advice=form.cleaned_data["advice"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                if _htmx(request):
                    return render(
                        request, "community/_reviews.html", reviews_context(request, entry)
                    )
                messages.success(
                    request,
                    _("Thank you for your review.") if created else _("Your review is updated."),
                )
                return redirect(_entry_url(entry, "reviews"))
        else:
            status = 400
        if _htmx(request):
            return render(
                request, "community/_reviews.html", reviews_context(request, entry, form=form)
            )
    elif refusal:
        status = 403
    return render(
        request,
        "community/review_form.html",
        {"entry": entry, "form": form, "mine": mine, "refusal": refusal},
        status=status,
    )


# --- follows --------------------------------------------------------------------------------


def _wants_following(request: HttpRequest) -> bool:
    return request.POST.get("following", "1") not in ("0", "false", "")


@login_required
@require_POST
def follow_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    return _follow(request, entry=entry, fallback=_entry_url(entry))


@login_required
@require_POST
def follow_campaign(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    return _follow(request, campaign=campaign, fallback=reverse("campaign", kwargs={"slug": slug}))


def _follow(request: HttpRequest, *, fallback: str, **target: Any) -> HttpResponse:
    try:
        following = services.follow_set(
            user=request.user, following=_wants_following(request), **target
        )
    except ServiceError as error:
        if _htmx(request):
            return HttpResponse(error.message, status=error.status)
        messages.error(request, error.message)
        return redirect(safe_next(request, fallback))
    if _htmx(request):
        context = follow_context(request.user, **target)
        return render(request, "community/_follow_button.html", context)
    messages.success(
        request,
        _("You follow it now; we will tell you what happens.")
        if following
        else _("You no longer follow it."),
    )
    return redirect(safe_next(request, fallback))


# --- notifications --------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "query_string": "unread=1" if unread_only else "",
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; without `next`, go where it leads."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    if _htmx(request):
        return render(request, "community/_notification.html", {"n": notification})
    return redirect(safe_next(request, notification_path(notification)))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.notification_settings_for(request.user)
    language = getattr(request.user, "language", "") or request.LANGUAGE_CODE
    form = NotificationSettingsForm(initial={"digest": current.digest, "language": language})
    status = 200
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.notification_settings_update(
                    user=request.user,
                    digest=form.cleaned_data["digest"],
                    language=form.cleaned_data["language"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notification_settings")
        else:
            status = 400
    return render(request, "community/settings.html", {"form": form}, status=status)


@csrf_exempt  # the signed token is the credential; mail clients POST without a CSRF token
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): GET asks to confirm, POST switches the digest off."""
    user = services.user_for_unsubscribe_token(token)
    if user is None:
        return render(request, "community/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.digest_unsubscribe(token=token)
        return render(request, "community/unsubscribe.html", {"done": True, "person": user})
    if request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "community/unsubscribe.html", {"person": user, "token": token})
