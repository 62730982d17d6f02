"""Judging pages: the studio's contest settings, jury, rubric and results; the judge's own
pages; the public results and each entrant's own scores.

Thin (CONVENTIONS §2): access through judging.access, one service per write, ServiceError
shown as a form error or a message.

Contest settings need Capability.EDIT_CAMPAIGN, like the round's dates: they are part of the
published rules, set while the campaign is prepared. Everything that decides the outcome (jury,
rubric, results, winners) needs Capability.MANAGE_RESULTS.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdstudio.accounts.models import User
from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.awards import selectors as award_selectors
from crowdstudio.awards import services as award_services
from crowdstudio.campaigns.access import get_campaign_for_user
from crowdstudio.campaigns.models import Prize, Round
from crowdstudio.entries.access import get_entry_for_user
from crowdstudio.entries.selectors import with_media
from crowdstudio.judging import selectors, services
from crowdstudio.judging.access import (
    get_entry_for_judge,
    get_round_for_judge,
    get_round_for_staff,
)
from crowdstudio.judging.forms import (
    ConflictForm,
    CriterionForm,
    JuryMemberForm,
    RoundContestForm,
    ScorecardForm,
    WinnerForm,
    add_service_error,
    tie_break_summary,
)
from crowdstudio.judging.models import ConflictOfInterest, Criterion, Scorecard, ScorecardStatus
from crowdstudio.lib.errors import ServiceError


def _status(form: Any) -> int:
    return 400 if form.errors else 200


# Studio ----------------------------------------------------------------------------------------


@login_required
def judging_overview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, slug, Capability.MANAGE_RESULTS)
    rounds = list(campaign.rounds.order_by("number"))
    return render(request, "judging/overview.html", {"campaign": campaign, "rounds": rounds})


@login_required
def round_contest(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.EDIT_CAMPAIGN)
    form = RoundContestForm(initial=RoundContestForm.initial_from(rnd))
    if request.method == "POST":
        form = RoundContestForm(request.POST)
        if form.is_valid():
            try:
                services.round_configure(round=rnd, user=request.user, **form.service_fields())
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("The contest settings are saved."))
                return redirect("round_contest", slug=slug, number=number)
    return render(
        request,
        "judging/round_contest.html",
        {"campaign": rnd.campaign, "round": rnd, "form": form},
        status=_status(form),
    )


def _jury_form(rnd: Round, data: Any = None) -> JuryMemberForm:
    choices = [
        (m.user_id, f"{m.user.public_name} ({m.get_role_display()})")
        for m in selectors.eligible_jurors(rnd)
    ]
    return JuryMemberForm(data, choices=choices)


@login_required
def jury(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    form = _jury_form(rnd)
    if request.method == "POST":
        form = _jury_form(rnd, request.POST)
        if form.is_valid():
            member = User.objects.get(pk=form.cleaned_data["member"])
            try:
                services.jury_member_add(round=rnd, user=request.user, member=member)
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(
                    request, _("%(name)s is on the jury.") % {"name": member.public_name}
                )
                return redirect("jury", slug=slug, number=number)
    return render(
        request,
        "judging/jury.html",
        {
            "campaign": rnd.campaign,
            "round": rnd,
            "form": form,
            "progress": selectors.jury_progress(rnd),
            "conflicts": selectors.declared_conflicts(rnd),
        },
        status=_status(form),
    )


@login_required
@require_POST
def jury_member_remove(request: HttpRequest, slug: str, number: int, user_id: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    member = get_object_or_404(User, pk=user_id)
    try:
        removed = services.jury_member_remove(round=rnd, user=request.user, member=member)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if removed:
            messages.success(
                request, _("%(name)s is no longer on the jury.") % {"name": member.public_name}
            )
    return redirect("jury", slug=slug, number=number)


@login_required
def rubric(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    form = CriterionForm()
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            try:
                services.criterion_add(round=rnd, user=request.user, **form.service_fields())
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("The criterion is added."))
                return redirect("rubric", slug=slug, number=number)
    return render(
        request,
        "judging/rubric.html",
        {
            "campaign": rnd.campaign,
            "round": rnd,
            "form": form,
            "criteria": selectors.rubric(rnd),
            "locked": selectors.rubric_locked(rnd) or rnd.results_published_at is not None,
        },
        status=_status(form),
    )


@login_required
def criterion_edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    criterion = get_object_or_404(Criterion, pk=pk, round=rnd)
    criterion.round = rnd
    form = CriterionForm(initial=CriterionForm.initial_from(criterion))
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            try:
                services.criterion_update(
                    criterion=criterion,
                    user=request.user,
                    **form.service_fields(position=criterion.position),
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                messages.success(request, _("The criterion is saved."))
                return redirect("rubric", slug=slug, number=number)
    return render(
        request,
        "judging/criterion_edit.html",
        {"campaign": rnd.campaign, "round": rnd, "criterion": criterion, "form": form},
        status=_status(form),
    )


@login_required
@require_POST
def criterion_remove(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    criterion = get_object_or_404(Criterion, pk=pk, round=rnd)
    criterion.round = rnd
    try:
        services.criterion_remove(criterion=criterion, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The criterion is removed."))
    return redirect("rubric", slug=slug, number=number)


def _winner_choices(rows: list[Any]) -> list[tuple[int, str]]:
    return [
        (row.entry_id, f"{row.rank}. {row.entry.title} ({row.entry.author.public_name})")
        for row in rows
    ]


@login_required
def results_manage(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    snap = selectors.snapshot(rnd)
    rows = selectors.standings(snap) if snap else []
    by_rank = {row.rank: row for row in rows}
    prizes = []
    choices = _winner_choices(rows)
    for prize in Prize.objects.filter(round=rnd).order_by("rank"):
        at_rank = by_rank.get(prize.rank)
        form = WinnerForm(choices=choices, initial={"entry": at_rank.entry_id if at_rank else None})
        prizes.append((prize, form))
    names = {m.user_id: m.user.username for m in selectors.jury(rnd)}
    scales = [
        {**scale, "name": names.get(scale["judge_id"], "?")}
        for scale in (snap.judge_scales if snap else [])
    ]
    return render(
        request,
        "judging/results_manage.html",
        {
            "campaign": rnd.campaign,
            "round": rnd,
            "snapshot": snap,
            "rows": rows,
            "prizes": prizes,
            "awards": award_selectors.round_awards(rnd),
            "scales": scales,
            "counts": selectors.judging_counts(rnd),
            "closed": timezone.now() >= rnd.closes_at,
            "tie_break_summary": tie_break_summary(rnd),
        },
    )


@login_required
@require_POST
def results_compute(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    try:
        snap = services.results_compute(round=rnd, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The standings are computed (%(n)s entries).") % {"n": snap.rows.count()}
        )
    return redirect("results_manage", slug=slug, number=number)


@login_required
@require_POST
def results_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    try:
        published = services.results_publish(round=rnd, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if published:
            messages.success(request, _("The results are published."))
        else:
            messages.info(request, _("The results were already published."))
    return redirect("results_manage", slug=slug, number=number)


@login_required
@require_POST
def winner_confirm(request: HttpRequest, slug: str, number: int, prize_id: int) -> HttpResponse:
    rnd = get_round_for_staff(request.user, slug, number, Capability.MANAGE_RESULTS)
    prize = get_object_or_404(Prize, pk=prize_id, round=rnd)
    snap = selectors.snapshot(rnd)
    rows = selectors.standings(snap) if snap else []
    form = WinnerForm(request.POST, choices=_winner_choices(rows))
    if not rows:
        messages.error(request, _("Compute the results first."))
    elif not form.is_valid():
        messages.error(request, _("Choose one of the round's entries."))
    else:
        entry = next(row.entry for row in rows if row.entry_id == form.cleaned_data["entry"])
        try:
            award_services.award_confirm(prize=prize, entry=entry, user=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("“%(entry)s” wins “%(prize)s”.") % {"entry": entry.title, "prize": prize.title},
            )
    return redirect("results_manage", slug=slug, number=number)


# Public ----------------------------------------------------------------------------------------


def round_results(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The published standings and winners; before publishing only MANAGE_RESULTS sees a preview."""
    campaign = get_campaign_for_user(request.user, slug)
    rnd = get_object_or_404(Round, campaign=campaign, number=number)
    rnd.campaign = campaign
    snap = selectors.published_results(rnd)
    preview = False
    if snap is None:
        if not has_capability(request.user, campaign.organisation_id, Capability.MANAGE_RESULTS):
            raise Http404("No results yet")
        snap = selectors.snapshot(rnd)
        preview = True
    return render(
        request,
        "judging/round_results.html",
        {
            "campaign": campaign,
            "round": rnd,
            "snapshot": snap,
            "rows": selectors.standings(snap) if snap else [],
            "awards": award_selectors.round_awards(rnd) if not preview else [],
            "preview": preview,
            "tie_break_summary": tie_break_summary(rnd),
        },
    )


@login_required
def my_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """An entrant's own scores and the judges' comments, judges anonymised; after publishing."""
    entry = get_entry_for_user(request.user, pk)
    if entry.author_id != request.user.pk:
        raise Http404("No such entry")
    rows = selectors.published_rounds_of_entry(entry)
    if not rows:
        raise Http404("No published results for this entry")
    rounds = []
    for row in rows:
        rnd = row.snapshot.round
        rounds.append(
            {
                "round": rnd,
                "row": row,
                "field": row.snapshot.rows.count(),
                "feedback": selectors.feedback_for_entry(rnd, entry),
            }
        )
    return render(request, "judging/my_scores.html", {"entry": entry, "rounds": rounds})


# The judge's own pages ---------------------------------------------------------------------------


@login_required
def my_judging(request: HttpRequest) -> HttpResponse:
    return render(
        request, "judging/my_judging.html", {"rounds": selectors.rounds_of_judge(request.user)}
    )


def _judge_round_page(
    request: HttpRequest, rnd: Round, conflict_form: ConflictForm, status: int = 200
) -> HttpResponse:
    entries = list(selectors.judge_entries(rnd, request.user))
    cards = {
        card.entry_id: card.status
        for card in Scorecard.objects.filter(round=rnd, judge_id=request.user.pk)
    }
    rows = [(entry, cards.get(entry.pk)) for entry in entries]
    scored = sum(card == ScorecardStatus.SUBMITTED for _entry, card in rows)
    return render(
        request,
        "judging/judge_round.html",
        {
            "round": rnd,
            "campaign": rnd.campaign,
            "rows": rows,
            "scored": scored,
            "assigned": len(rows),
            "conflict_form": conflict_form,
            "conflicts": ConflictOfInterest.objects.filter(
                round=rnd, judge_id=request.user.pk
            ).select_related("entry"),
            "rubric_empty": not selectors.rubric(rnd),
        },
        status=status,
    )


def _conflict_choices(rnd: Round, judge: Any) -> list[tuple[int, str]]:
    return [(e.pk, e.title) for e in selectors.judge_entries(rnd, judge)]


@login_required
def judge_round(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = get_round_for_judge(request.user, round_id)
    form = ConflictForm(choices=_conflict_choices(rnd, request.user))
    return _judge_round_page(request, rnd, form)


@login_required
@require_POST
def conflict_declare(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = get_round_for_judge(request.user, round_id)
    form = ConflictForm(request.POST, choices=_conflict_choices(rnd, request.user))
    if form.is_valid():
        entry = get_entry_for_judge(request.user, rnd, form.cleaned_data["entry"])
        try:
            services.conflict_declare(
                round=rnd, judge=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            add_service_error(form, error.code, error.message)
        else:
            messages.success(
                request,
                _("Conflict declared: “%(title)s” is no longer on your list.")
                % {"title": entry.title},
            )
            return redirect("judge_round", round_id=rnd.pk)
    return _judge_round_page(request, rnd, form, status=400)


@login_required
def scorecard(request: HttpRequest, round_id: int, entry_id: int) -> HttpResponse:
    rnd = get_round_for_judge(request.user, round_id)
    entry = get_entry_for_judge(request.user, rnd, entry_id)
    entry = with_media(type(entry).objects.filter(pk=entry.pk)).get()
    criteria = selectors.rubric(rnd)
    card = selectors.scorecard_of(rnd, request.user, entry)
    form = ScorecardForm(criteria=criteria, card=card)
    if request.method == "POST":
        form = ScorecardForm(request.POST, criteria=criteria)
        if form.is_valid():
            submit = request.POST.get("action") == "submit" or (
                card is not None and card.status == ScorecardStatus.SUBMITTED
            )
            try:
                card = services.scorecard_save(
                    round=rnd,
                    judge=request.user,
                    entry=entry,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    private_note=form.cleaned_data["private_note"],
                    submit=submit,
                )
            except ServiceError as error:
                add_service_error(form, error.code, error.message)
            else:
                if card.status == ScorecardStatus.SUBMITTED:
                    messages.success(request, _("Your scorecard is submitted. Thank you!"))
                else:
                    messages.success(request, _("Your draft is saved."))
                return redirect("judge_round", round_id=rnd.pk)
    return render(
        request,
        "judging/scorecard.html",
        {
            "round": rnd,
            "campaign": rnd.campaign,
            "entry": entry,
            "form": form,
            "card": card,
            "locked": rnd.results_published_at is not None,
            "notes": selectors.jury_notes(rnd, entry, exclude_judge=request.user),
        },
        status=_status(form),
    )
