"""Forms of the judging pages. They parse input; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crowdstudio.campaigns.models import Normalisation, ResultsScale, Round, VotingScheme
from crowdstudio.judging.models import Criterion, Scorecard

#: Which form field a service error code belongs to, so the message appears next to it.
SERVICE_ERROR_FIELDS = {
    "invalid_scheme": "voting_scheme",
    "invalid_budget": "vote_budget",
    "invalid_voting_window": "voting_closes_at",
    "invalid_normalisation": "normalisation",
    "invalid_weight": "jury_weight",
    "invalid_scale": "results_scale",
    "invalid_tie_breaks": "tie_break_1",
    "invalid_name": "name",
    "duplicate_name": "name",
    "reason_required": "reason",
    "not_eligible": "member",
}

TIE_BREAK_LABELS = {
    "jury": _("Higher jury score"),
    "audience": _("Higher audience score"),
    "submitted": _("Earlier submission"),
}


def tie_break_summary(rnd: Round) -> str:
    """The round's tie-break rule in words, in order, ending with the fixed last resort."""
    rules = [str(TIE_BREAK_LABELS.get(rule, rule)) for rule in rnd.tie_breaks]
    return ", ".join([*rules, str(_("lower entry number"))])


def add_service_error(
    form: forms.Form, code: str, message: str, *, field: str | None = None
) -> None:
    name = field or SERVICE_ERROR_FIELDS.get(code)
    form.add_error(name if name in form.fields else None, message)


_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundContestForm(forms.Form):
    voting_scheme = forms.ChoiceField(label=_("Audience voting"), choices=VotingScheme.choices)
    vote_budget = forms.IntegerField(
        label=_("Votes per person"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Only for the budget scheme."),
    )
    voting_opens_at = forms.DateTimeField(
        label=_("Voting opens"),
        required=False,
        widget=_DATETIME,
        help_text=_("Empty: when the round opens."),
    )
    voting_closes_at = forms.DateTimeField(
        label=_("Voting closes"),
        required=False,
        widget=_DATETIME,
        help_text=_("Empty: when the round closes."),
    )
    blind_judging = forms.BooleanField(
        label=_("Blind judging (judges do not see who made an entry)"), required=False
    )
    normalisation = forms.ChoiceField(label=_("Judge normalisation"), choices=Normalisation.choices)
    jury_weight = forms.IntegerField(
        label=_("Jury weight (%)"),
        min_value=0,
        max_value=100,
        help_text=_("The audience gets the rest, e.g. 70 for a 70/30 split."),
    )
    results_scale = forms.ChoiceField(label=_("Rank points"), choices=ResultsScale.choices)
    tie_break_1 = forms.ChoiceField(
        label=_("First tie-break"), choices=list(TIE_BREAK_LABELS.items())
    )
    tie_break_2 = forms.ChoiceField(
        label=_("Second tie-break"), choices=list(TIE_BREAK_LABELS.items())
    )
    tie_break_3 = forms.ChoiceField(
        label=_("Third tie-break"), choices=list(TIE_BREAK_LABELS.items())
    )

    @classmethod
    def initial_from(cls, rnd: Round) -> dict[str, Any]:
        from django.utils import timezone

        rules = list(rnd.tie_breaks) + [r for r in TIE_BREAK_LABELS if r not in rnd.tie_breaks]
        return {
            "voting_scheme": rnd.voting_scheme,
            "vote_budget": rnd.vote_budget,
            "voting_opens_at": rnd.voting_opens_at and timezone.localtime(rnd.voting_opens_at),
            "voting_closes_at": rnd.voting_closes_at and timezone.localtime(rnd.voting_closes_at),
            "blind_judging": rnd.blind_judging,
            "normalisation": rnd.normalisation,
            "jury_weight": rnd.jury_weight,
            "results_scale": rnd.results_scale,
            "tie_break_1": rules[0],
            "tie_break_2": rules[1],
            "tie_break_3": rules[2],
        }

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "voting_scheme": data["voting_scheme"],
            "vote_budget": data["vote_budget"],
            "voting_opens_at": data["voting_opens_at"],
            "voting_closes_at": data["voting_closes_at"],
            "blind_judging": data["blind_judging"],
            "normalisation": data["normalisation"],
            "jury_weight": data["jury_weight"],
            "results_scale": data["results_scale"],
            "tie_breaks": [data["tie_break_1"], data["tie_break_2"], data["tie_break_3"]],
        }


class JuryMemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Add to the jury"), coerce=int, choices=())

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = choices  # type: ignore[attr-defined]


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=80)
    description = forms.CharField(
        label=_("What judges look for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        initial=1,
        help_text=_("Relative: 2 / 1 / 1 means the same as 50 / 25 / 25."),
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), initial=1, min_value=0, max_value=100)
    scale_max = forms.IntegerField(label=_("Highest score"), initial=10, min_value=0, max_value=100)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=1000)

    @classmethod
    def initial_from(cls, criterion: Criterion) -> dict[str, Any]:
        return {
            name: getattr(criterion, name)
            for name in ("name", "description", "weight", "scale_min", "scale_max", "position")
        }

    def service_fields(self, *, position: int | None = None) -> dict[str, Any]:
        """The criterion's fields for criterion_add/criterion_update; an empty position keeps
        `position` (None lets criterion_add put it last)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "weight": data["weight"],
            "scale_min": data["scale_min"],
            "scale_max": data["scale_max"],
            "position": data["position"] if data["position"] is not None else position,
        }


class ConflictForm(forms.Form):
    entry = forms.TypedChoiceField(label=_("Entry"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        help_text=_("E.g. “a friend of mine”, “I worked with the author”. Staff see this."),
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = choices  # type: ignore[attr-defined]


class ScorecardForm(forms.Form):
    """One whole-number field per criterion (named `c<id>`), a comment and a private note."""

    comment = forms.CharField(
        label=_("Comment to the entrant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The entrant reads this after results are published, without your name."),
    )
    private_note = forms.CharField(
        label=_("Private note to the jury"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the jury and staff see this."),
    )

    def __init__(
        self,
        *args: Any,
        criteria: list[Criterion],
        card: Scorecard | None = None,
        **kwargs: Any,
    ) -> None:
        if card is not None and "initial" not in kwargs and not args:
            initial: dict[str, Any] = {"comment": card.comment, "private_note": card.private_note}
            for score in card.scores.all():
                initial[f"c{score.criterion_id}"] = score.value
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scored: dict[str, forms.Field] = {}
        for criterion in criteria:
            scored[f"c{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.scale_min}–{criterion.scale_max})",
                required=False,
                min_value=criterion.scale_min,
                max_value=criterion.scale_max,
                help_text=criterion.description,
            )
        # Criteria first, then the texts.
        self.fields = {**scored, **self.fields}

    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[f"c{c.pk}"] for c in self.criteria]

    def text_fields(self) -> list[forms.BoundField]:
        return [self["comment"], self["private_note"]]

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


class WinnerForm(forms.Form):
    entry = forms.TypedChoiceField(label=_("Winner"), coerce=int, choices=())

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = choices  # type: ignore[attr-defined]
