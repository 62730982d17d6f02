"""Reads of the judging app: juries, what a judge may see, progress, standings and feedback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from crowdstudio.accounts.models import Membership, Role
from crowdstudio.campaigns.models import Round
from crowdstudio.entries.models import Entry
from crowdstudio.entries.selectors import round_entries
from crowdstudio.judging.models import (
    ConflictOfInterest,
    Criterion,
    JuryMember,
    ResultRow,
    ResultSnapshot,
    Scorecard,
    ScorecardStatus,
)

#: Organisation roles whose members may sit on a jury.
JURY_ROLES = (Role.JUDGE, Role.PRODUCER, Role.OWNER)


def sits_on_a_jury(user: Any) -> bool:
    """One indexed query: does this person sit on any jury (for the navigation link)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return JuryMember.objects.filter(user=user).exists()


def jury(round: Round) -> QuerySet[JuryMember]:
    return JuryMember.objects.filter(round=round).select_related("user").order_by("number")


def is_juror(user: Any, round: Round) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return JuryMember.objects.filter(round=round, user=user).exists()


def eligible_jurors(round: Round) -> QuerySet[Membership]:
    """Members of the campaign's organisation who may judge and are not on the jury yet."""
    seated = JuryMember.objects.filter(round=round).values("user_id")
    return (
        Membership.objects.filter(
            organisation_id=round.campaign.organisation_id, role__in=JURY_ROLES
        )
        .exclude(user_id__in=seated)
        .select_related("user")
        .order_by("user__username")
    )


def rubric(round: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(round=round).order_by("position", "id"))


def rubric_locked(round: Round) -> bool:
    """The rubric is frozen once any judge has submitted a scorecard in the round."""
    return Scorecard.objects.filter(round=round, status=ScorecardStatus.SUBMITTED).exists()


def conflicted_entry_ids(round: Round, judge: Any) -> set[int]:
    return set(
        ConflictOfInterest.objects.filter(round=round, judge=judge).values_list(
            "entry_id", flat=True
        )
    )


def judge_entries(round: Round, judge: Any) -> QuerySet[Entry]:
    """The entries this judge scores: the round's entries minus declared conflicts and own work."""
    declared = ConflictOfInterest.objects.filter(round=round, judge=judge).values("entry_id")
    return (
        round_entries(round)
        .exclude(author=judge)
        .exclude(pk__in=declared)
        .select_related("author")
        .order_by("created_at", "id")
    )


def counted_scorecards(round: Round) -> QuerySet[Scorecard]:
    """Submitted scorecards that count: by a juror of the round, for an entry in the round, not
    the judge's own entry and not one they declared a conflict with (a conflict declared after
    scoring takes the card out)."""
    declared = ConflictOfInterest.objects.filter(
        round=round, judge_id=OuterRef("judge_id"), entry_id=OuterRef("entry_id")
    )
    seated = JuryMember.objects.filter(round=round, user_id=OuterRef("judge_id"))
    return (
        Scorecard.objects.filter(
            Exists(seated),
            ~Exists(declared),
            round=round,
            status=ScorecardStatus.SUBMITTED,
            entry__in=round_entries(round),
        )
        .exclude(entry__author_id=F("judge_id"))
        .order_by("judge_id", "entry_id")
    )


@dataclass(frozen=True)
class Progress:
    member: JuryMember
    scored: int
    drafts: int
    assigned: int

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.assigned) if self.assigned else 100


def jury_progress(round: Round) -> list[Progress]:
    """Per judge: submitted cards out of assigned entries (round entries minus conflicts)."""
    entry_ids = list(round_entries(round).values_list("pk", "author_id"))
    ids = {pk for pk, _author in entry_ids}
    members = list(jury(round))
    declared: dict[int, set[int]] = {}
    for judge_id, entry_id in ConflictOfInterest.objects.filter(round=round).values_list(
        "judge_id", "entry_id"
    ):
        declared.setdefault(judge_id, set()).add(entry_id)
    cards = (
        Scorecard.objects.filter(round=round, entry_id__in=ids)
        .values("judge_id", "entry_id", "status")
        .order_by()
    )
    by_judge: dict[int, list[tuple[int, str]]] = {}
    for card in cards:
        by_judge.setdefault(card["judge_id"], []).append((card["entry_id"], card["status"]))
    progress = []
    for member in members:
        excluded = declared.get(member.user_id, set()) | {
            pk for pk, author in entry_ids if author == member.user_id
        }
        own = [
            status
            for entry_id, status in by_judge.get(member.user_id, [])
            if entry_id not in excluded
        ]
        progress.append(
            Progress(
                member=member,
                scored=sum(status == ScorecardStatus.SUBMITTED for status in own),
                drafts=sum(status == ScorecardStatus.DRAFT for status in own),
                assigned=len(ids - excluded),
            )
        )
    return progress


def judge_progress(round: Round, judge: Any) -> tuple[int, int]:
    """(scored, assigned) for one judge."""
    entries = judge_entries(round, judge)
    assigned = entries.count()
    scored = Scorecard.objects.filter(
        round=round, judge=judge, status=ScorecardStatus.SUBMITTED, entry__in=entries
    ).count()
    return scored, assigned


def rounds_of_judge(judge: Any) -> list[tuple[Round, int, int]]:
    """The rounds this person judges, newest first, with (scored, assigned) for each."""
    rounds = (
        Round.objects.filter(jurors__user=judge)
        .select_related("campaign")
        .order_by("-opens_at", "-id")
    )
    return [(rnd, *judge_progress(rnd, judge)) for rnd in rounds]


def declared_conflicts(round: Round) -> QuerySet[ConflictOfInterest]:
    return (
        ConflictOfInterest.objects.filter(round=round)
        .select_related("judge", "entry")
        .order_by("judge__username", "entry_id")
    )


def scorecard_of(round: Round, judge: Any, entry: Entry) -> Scorecard | None:
    return (
        Scorecard.objects.filter(round=round, judge=judge, entry=entry)
        .prefetch_related("scores")
        .first()
    )


def judge_numbers(round: Round) -> dict[int, int]:
    """user id → the judge's anonymous number in this round."""
    return dict(JuryMember.objects.filter(round=round).values_list("user_id", "number"))


def snapshot(round: Round) -> ResultSnapshot | None:
    return ResultSnapshot.objects.filter(round=round).first()


def standings(snap: ResultSnapshot) -> list[ResultRow]:
    return list(snap.rows.select_related("entry__author").order_by("rank"))


def published_results(round: Round) -> ResultSnapshot | None:
    if round.results_published_at is None:
        return None
    return ResultSnapshot.objects.filter(round=round, published_at__isnull=False).first()


def published_rounds_of_entry(entry: Entry) -> list[ResultRow]:
    """The entry's rows in every published result, oldest round first (one query)."""
    return list(
        ResultRow.objects.filter(entry=entry, snapshot__published_at__isnull=False)
        .select_related("snapshot__round__campaign")
        .order_by("snapshot__round__number")
    )


@dataclass(frozen=True)
class Feedback:
    """One judge's card for an entrant: the judge is only a number."""

    judge_number: int
    scores: list[tuple[Criterion, int]]
    comment: str


def feedback_for_entry(round: Round, entry: Entry) -> list[Feedback]:
    """The counted scorecards of an entry, anonymised, in judge-number order."""
    numbers = judge_numbers(round)
    criteria = {c.pk: c for c in rubric(round)}
    cards = counted_scorecards(round).filter(entry=entry).prefetch_related("scores")
    feedback = []
    for card in cards:
        scores = sorted(
            (
                (criteria[s.criterion_id], s.value)
                for s in card.scores.all()
                if s.criterion_id in criteria
            ),
            key=lambda pair: (pair[0].position, pair[0].pk),
        )
        feedback.append(
            Feedback(
                judge_number=numbers.get(card.judge_id, 0), scores=scores, comment=card.comment
            )
        )
    feedback.sort(key=lambda f: f.judge_number)
    return feedback


def jury_notes(round: Round, entry: Entry, *, exclude_judge: Any) -> list[tuple[int, str]]:
    """Other judges' private notes on an entry, by judge number (for the jury only)."""
    numbers = judge_numbers(round)
    notes = (
        Scorecard.objects.filter(round=round, entry=entry)
        .exclude(judge=exclude_judge)
        .exclude(private_note="")
        .values_list("judge_id", "private_note")
    )
    return sorted((numbers.get(judge_id, 0), note) for judge_id, note in notes)


def judging_counts(round: Round) -> dict[str, int]:
    return Scorecard.objects.filter(round=round).aggregate(
        submitted=Count("pk", filter=Q(status=ScorecardStatus.SUBMITTED)),
        drafts=Count("pk", filter=Q(status=ScorecardStatus.DRAFT)),
    )
