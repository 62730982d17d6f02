"""Screenplay pages: submit, read, comment, revise, compare, lineage, report, downloads.

Thin: parse, call one service or selector, render. Access goes through screenplays.access.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.models import CampaignKind, CampaignStatus
from crowdstudio.campaigns.services import current_terms
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.lib.errors import ServiceError
from crowdstudio.lib.http import content_length, safe_next
from crowdstudio.lib.markdown import render_markdown
from crowdstudio.screenplays import access, selectors, services
from crowdstudio.screenplays.elements import Screenplay as Document
from crowdstudio.screenplays.forms import (
    AccessDecisionForm,
    AccessRequestForm,
    CollaborationForm,
    CommentForm,
    DiffForm,
    RevisionForm,
    ScriptSubmitForm,
    TestMovieForm,
)
from crowdstudio.screenplays.models import (
    AccessStatus,
    Collaboration,
    CollaboratorAccess,
    Screenplay,
    ScriptVersion,
    SourceFormat,
)

#: What an inline PDF may do in the browser: nothing but be shown.
PDF_CSP = "sandbox; default-src 'none'; frame-ancestors 'self'"


def safe_filename(title: str, suffix: str) -> str:
    """An ASCII file name from a title: letters, digits and dashes only, never empty."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80] or "screenplay"
    return f"{stem}{suffix}"


def _document(version: ScriptVersion) -> Document:
    document = selectors.document_of(version)
    if document is None:
        raise Http404("A PDF-only version has no text")
    return document


# --- submit -----------------------------------------------------------------------------------


@login_required
def screenplay_submit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    if campaign.kind != CampaignKind.SCRIPT:
        raise Http404("Not a script contest")
    terms = current_terms(campaign)
    accepting = bool(
        campaign.status == CampaignStatus.OPEN and campaign.round_open_at(timezone.now())
    )
    form = ScriptSubmitForm(
        campaign=campaign,
        user=request.user,
        initial={"terms_version_id": terms.id if terms else None},
    )
    status = 200
    if request.method == "POST" and accepting:
        if content_length(request) > services.max_script_bytes() + 1024 * 1024:
            form.add_error(None, _("The file is larger than this contest accepts."))
            status = 413
        else:
            form = ScriptSubmitForm(
                request.POST, request.FILES, campaign=campaign, user=request.user
            )
            if form.is_valid():
                data = form.cleaned_data
                try:
                    screenplay = services.screenplay_submit(
                        campaign=campaign,
                        writer=request.user,
                        title=data["title"],
                        logline=data["logline"],
                        upload=data["script"],
                        collaboration=data["collaboration"],
                        terms_version_id=data["terms_version_id"],
                        accept_terms=data["accept_terms"],
                        applicant=form.applicant(),
                        submission_key=data["submission_key"],
                    )
                except ServiceError as error:
                    status = error.status
                    form.add_error(None, error.message)
                else:
                    messages.success(
                        request,
                        _("Thank you! Your screenplay is in; it is published once approved."),
                    )
                    return redirect("screenplay", pk=screenplay.pk)
            else:
                status = 400
    return render(
        request,
        "screenplays/submit.html",
        {
            "campaign": campaign,
            "terms": terms,
            "form": form,
            "accepting": accepting,
            "terms_html": render_markdown(terms.body) if terms else "",
            "max_mb": services.max_script_bytes() // (1024 * 1024),
            # The service refuses them too; this spares them a form they cannot send.
            "is_organiser": has_capability(
                request.user, campaign.organisation_id, Capability.VIEW_BACKOFFICE
            ),
        },
        status=status,
    )


def campaign_screenplays(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug)
    if campaign.kind != CampaignKind.SCRIPT:
        raise Http404("Not a script contest")
    return render(
        request,
        "screenplays/campaign_screenplays.html",
        {
            "campaign": campaign,
            "rows": selectors.campaign_screenplays(campaign, request.user),
            "is_team": has_capability(
                request.user, campaign.organisation_id, Capability.VIEW_BACKOFFICE
            ),
        },
    )


# --- reading ----------------------------------------------------------------------------------


def screenplay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screenplay = access.get_screenplay_for_user(request.user, pk)
    latest = screenplay.versions.order_by("-number").first()
    if latest is None:
        raise Http404("No versions")
    return _version_page(request, screenplay, latest)


def screenplay_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    return _version_page(request, version.screenplay, version)


def _version_page(
    request: HttpRequest,
    screenplay: Screenplay,
    version: ScriptVersion,
    *,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    versions = selectors.versions_of(screenplay, texts=False)
    document = selectors.document_of(version)
    reader_html = ""
    if document is not None:
        from crowdstudio.screenplays.html import render_html

        reader_html = render_html(document, anchors=True)
    comments = selectors.comments_by_element(version)
    is_writer = access.is_writer(user, screenplay)
    own_access = access.access_of(user, screenplay)
    refusal = access.revise_refusal(user, screenplay)
    can_request = (
        user.is_authenticated
        and not is_writer
        and screenplay.collaboration == Collaboration.BY_PERMISSION
        and (
            own_access is None or own_access.status in (AccessStatus.REFUSED, AccessStatus.REVOKED)
        )
    )
    return render(
        request,
        "screenplays/version.html",
        {
            "screenplay": screenplay,
            "version": version,
            "versions": versions,
            "latest": versions[-1] if versions else version,
            "parents": next(
                (selectors.parent_numbers(v) for v in versions if v.pk == version.pk), []
            ),
            "document": document,
            "reader_html": reader_html,
            "elements": document.elements if document else (),
            "comments": comments,
            "comment_count": sum(len(v) for v in comments.values()),
            "comment_form": comment_form or CommentForm(),
            "minutes": selectors.running_minutes(version.page_count),
            "is_writer": is_writer,
            "is_team": access.is_team(user, screenplay),
            "can_revise": refusal is None and document is not None,
            "own_access": own_access,
            "can_request_access": can_request,
            "access_rows": selectors.access_rows(screenplay) if is_writer else [],
            "collaboration_form": CollaborationForm(
                initial={"collaboration": screenplay.collaboration}
            ),
            "access_form": AccessRequestForm(),
            "test_movies": selectors.test_movies_of(version, user),
            "is_pdf": version.source_format == SourceFormat.PDF,
        },
        status=status,
    )


# --- downloads --------------------------------------------------------------------------------


def _cached_pdf(version: ScriptVersion, document: Document) -> bytes:
    """The rendered PDF, kept in private storage under the content hash (same text, same PDF)."""
    storage = storages["works"]
    name = f"screenplays/pdf/{version.content_hash}.pdf"
    if storage.exists(name):
        with storage.open(name, "rb") as fh:
            data: bytes = fh.read()
        return data
    from crowdstudio.screenplays.pdf import render_pdf

    data = render_pdf(document)
    if not storage.exists(name):
        storage.save(name, ContentFile(data))
    return data


def _attachment(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _original_bytes(version: ScriptVersion) -> bytes:
    if version.original is None:
        raise Http404("No original file")
    try:
        with storages["originals"].open(version.original.storage_name, "rb") as fh:
            data: bytes = fh.read()
    except FileNotFoundError as error:
        raise Http404("The original file is missing") from error
    return data


@require_GET
def screenplay_download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    title = f"{version.screenplay.title} v{version.number}"
    if fmt == "original":
        data = _original_bytes(version)
        suffix = {
            SourceFormat.PDF: ".pdf",
            SourceFormat.FDX: ".fdx",
            SourceFormat.FOUNTAIN: ".fountain",
        }[SourceFormat(version.source_format)]
        kind = {
            SourceFormat.PDF: "application/pdf",
            SourceFormat.FDX: "application/xml",
            SourceFormat.FOUNTAIN: "text/plain; charset=utf-8",
        }[SourceFormat(version.source_format)]
        return _attachment(data, kind, safe_filename(title, suffix))
    if version.source_format == SourceFormat.PDF:
        raise Http404("A PDF-only version has only its original")
    if fmt == "fountain":
        return _attachment(
            version.source, "text/plain; charset=utf-8", safe_filename(title, ".fountain")
        )
    if fmt == "fdx":
        from crowdstudio.screenplays import fdx

        return _attachment(
            fdx.write(_document(version)), "application/xml", safe_filename(title, ".fdx")
        )
    if fmt == "pdf":
        return _attachment(
            _cached_pdf(version, _document(version)),
            "application/pdf",
            safe_filename(title, ".pdf"),
        )
    raise Http404("Unknown format")


@require_GET
@xframe_options_sameorigin
def screenplay_read_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A PDF-only version's file, inline for the reader's frame; sandboxed, never sniffed."""
    version = access.get_version_for_user(request.user, pk, number)
    if version.source_format != SourceFormat.PDF:
        raise Http404("Not a PDF version")
    response = HttpResponse(_original_bytes(version), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{safe_filename(version.screenplay.title, ".pdf")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP
    response["Cache-Control"] = "private, no-store"
    return response


# --- comments, collaboration, access ----------------------------------------------------------


@login_required
@require_POST
def screenplay_comment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    form = CommentForm(request.POST)
    page = reverse("screenplay_version", kwargs={"pk": pk, "number": number})
    if form.is_valid():
        try:
            comment = services.comment_add(
                version=version,
                user=request.user,
                element_index=form.cleaned_data["element"],
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(f"{page}#el-{comment.element_index}")
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect(page)


@login_required
@require_POST
def screenplay_collaboration(request: HttpRequest, pk: int) -> HttpResponse:
    screenplay = access.get_screenplay_for_user(request.user, pk)
    access.require_writer(request.user, screenplay)
    form = CollaborationForm(request.POST)
    if form.is_valid():
        try:
            services.collaboration_set(
                screenplay=screenplay,
                user=request.user,
                collaboration=form.cleaned_data["collaboration"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The collaboration setting is saved."))
    else:
        messages.error(request, _("Choose who may post revisions."))
    return redirect(safe_next(request, reverse("screenplay", kwargs={"pk": pk})))


@login_required
@require_POST
def screenplay_access_request(request: HttpRequest, pk: int) -> HttpResponse:
    screenplay = access.get_screenplay_for_user(request.user, pk)
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.access_request(
                screenplay=screenplay, user=request.user, message=form.cleaned_data["message"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request is sent to the writer."))
    return redirect(safe_next(request, reverse("screenplay", kwargs={"pk": pk})))


@login_required
@require_POST
def screenplay_access_decide(request: HttpRequest, pk: int, access_id: int) -> HttpResponse:
    screenplay = access.get_screenplay_for_user(request.user, pk)
    access.require_writer(request.user, screenplay)
    row = (
        CollaboratorAccess.objects.select_related("user")
        .filter(pk=access_id, screenplay=screenplay)
        .first()
    )
    if row is None:
        raise Http404("No such request")
    row.screenplay = screenplay
    form = AccessDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.access_decide(
                row=row, user=request.user, decision=form.cleaned_data["decision"]
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose grant, refuse or revoke."))
    return redirect(safe_next(request, reverse("screenplay", kwargs={"pk": pk}) + "#access"))


# --- revisions --------------------------------------------------------------------------------


@login_required
def screenplay_revise(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    screenplay = version.screenplay
    refusal = access.revise_refusal(request.user, screenplay)
    if refusal is not None:
        raise PermissionDenied(refusal)
    numbers = list(screenplay.versions.order_by("number").values_list("number", flat=True))
    status = 200
    if request.method == "POST":
        form = RevisionForm(request.POST, request.FILES, numbers=numbers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                revision = services.revision_post(
                    screenplay=screenplay,
                    author=request.user,
                    based_on=data["based_on"],
                    message=data["message"],
                    text=data["text"] or None,
                    upload=data["upload"] or None,
                )
            except ServiceError as error:
                status = error.status
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Version %(n)s is posted. Thank you!") % {"n": revision.number},
                )
                return redirect("screenplay_version", pk=pk, number=revision.number)
        else:
            status = 400
    else:
        form = RevisionForm(
            numbers=numbers,
            initial={"based_on": [version.number], "text": version.source},
        )
    return render(
        request,
        "screenplays/revise.html",
        {"screenplay": screenplay, "version": version, "form": form},
        status=status,
    )


# --- compare, lineage, report -----------------------------------------------------------------


@require_GET
def screenplay_diff(request: HttpRequest, pk: int) -> HttpResponse:
    screenplay = access.get_screenplay_for_user(request.user, pk)
    versions = selectors.versions_of(screenplay, texts=False)
    by_number = {v.number: v for v in versions}
    params = request.GET.copy()
    if "a" not in params and "b" not in params and len(versions) >= 2:
        params["a"], params["b"] = str(versions[-2].number), str(versions[-1].number)
    form = DiffForm(params)
    diff = None
    problem = ""
    status = 200
    old = new = None
    if form.is_valid():
        old = by_number.get(form.cleaned_data["a"])
        new = by_number.get(form.cleaned_data["b"])
        if old is None or new is None:
            problem = _("There is no such version of this screenplay.")
            status = 404
        elif SourceFormat.PDF in (old.source_format, new.source_format):
            problem = _("A PDF-only version cannot be compared.")
            status = 400
        else:
            from crowdstudio.screenplays.diff import diff_screenplays

            diff = diff_screenplays(_document(old), _document(new))
    elif params:
        problem = _("Choose two versions to compare.")
        status = 400 if len(versions) >= 2 else 200
    return render(
        request,
        "screenplays/diff.html",
        {
            "screenplay": screenplay,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff,
            "problem": problem,
        },
        status=status,
    )


#: The example prize the lineage page splits, to show the rule at work.
EXAMPLE_PRIZE = Decimal("1000.00")


@require_GET
def screenplay_lineage(request: HttpRequest, pk: int) -> HttpResponse:
    from crowdstudio.screenplays import credits

    screenplay = access.get_screenplay_for_user(request.user, pk)
    nodes = selectors.lineage(screenplay)
    infos = selectors.credit_lineage(nodes)
    latest = nodes[-1].version.number if nodes else None
    split = []
    if latest is not None:
        split = credits.award_split(
            infos,
            version=latest,
            amount=EXAMPLE_PRIZE,
            weights=selectors.change_weights(nodes),
        )
    return render(
        request,
        "screenplays/lineage.html",
        {
            "screenplay": screenplay,
            "nodes": nodes,
            "credits": credits.credits_for(infos) if nodes else [],
            "split": split,
            "example_prize": EXAMPLE_PRIZE,
            "latest": latest,
            "writer_share": int(credits.WRITER_SHARE * 100),
        },
    )


@require_GET
def screenplay_report(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    from crowdstudio.screenplays.report import script_report

    return render(
        request,
        "screenplays/report.html",
        {
            "screenplay": version.screenplay,
            "version": version,
            "report": script_report(_document(version)),
        },
    )


@require_GET
def screenplay_report_csv(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.get_version_for_user(request.user, pk, number)
    from crowdstudio.screenplays.report import report_csv, script_report

    text = report_csv(script_report(_document(version)))
    title = f"{version.screenplay.title} v{version.number} report"
    return _attachment(text, "text/csv; charset=utf-8", safe_filename(title, ".csv"))


# --- test movies ------------------------------------------------------------------------------


@login_required
@require_POST
def test_movie_declare(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    is_author = entry.author_id == request.user.pk
    if not is_author and not has_capability(
        request.user, entry.campaign.organisation_id, Capability.VIEW_BACKOFFICE
    ):
        raise PermissionDenied
    form = TestMovieForm(request.POST)
    page = reverse("entry", kwargs={"pk": pk})
    if not form.is_valid():
        messages.error(request, _("Choose a script version."))
        return redirect(page)
    version = (
        ScriptVersion.objects.select_related("screenplay__campaign", "screenplay__entry")
        .filter(pk=form.cleaned_data["version"])
        .first()
    )
    if version is None or not access.can_view_screenplay(request.user, version.screenplay):
        messages.error(request, _("There is no such script version."))
        return redirect(page)
    try:
        services.test_movie_declare(entry=entry, version=version, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("This entry is now a test movie of the script."))
    return redirect(page)


test_movie_declare.__test__ = False  # type: ignore[attr-defined]  # a view, not a pytest test
