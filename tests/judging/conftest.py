"""A judging world: the open campaign's round with a jury (jules the judge, peter the producer)
and a rubric, plus helpers to score quickly."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from crowdstudio.judging import services
from crowdstudio.judging.models import Criterion, Scorecard


@pytest.fixture
def jury_round(open_campaign, personas):
    """Round 1 of the open campaign with jules and peter on the jury and a 2/1/1 rubric (1–10)."""
    rnd = open_campaign.rounds.get()
    rnd.campaign = open_campaign
    owner = personas["owner"]
    for persona in ("judge", "producer"):
        services.jury_member_add(round=rnd, user=owner, member=personas[persona])
    for name, weight in [("Originality", "2"), ("Craft", "1"), ("Fit to the brief", "1")]:
        services.criterion_add(round=rnd, user=owner, name=name, weight=Decimal(weight))
    return rnd


@pytest.fixture
def score(jury_round) -> Callable[..., Scorecard]:
    """score(judge, entry, 7) scores every criterion 7; score(judge, entry, [8, 6, 9]) each."""

    def go(
        judge: Any,
        entry: Any,
        values: int | list[int],
        *,
        rnd: Any = None,
        submit: bool = True,
        comment: str = "",
        private_note: str = "",
    ) -> Scorecard:
        rnd = rnd or jury_round
        criteria = list(Criterion.objects.filter(round=rnd).order_by("position", "id"))
        if isinstance(values, int):
            values = [values] * len(criteria)
        return services.scorecard_save(
            round=rnd,
            judge=judge,
            entry=entry,
            scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
            comment=comment,
            private_note=private_note,
            submit=submit,
        )

    return go


@pytest.fixture(autouse=True)
def notifications(monkeypatch) -> list[tuple[str, int]]:
    """The community app's notifications, recorded instead of sent: these tests are about
    judging, and stay independent of the community app's tables."""
    calls: list[tuple[str, int]] = []
    for kind in ("opened", "closed"):
        monkeypatch.setattr(
            f"crowdstudio.community.services.notify_round_{kind}",
            lambda *, round, kind=kind: calls.append((kind, round.pk)) or 0,
        )
    monkeypatch.setattr(
        "crowdstudio.community.services.notify_results_published",
        lambda *, round: calls.append(("results", round.pk)) or 0,
    )
    return calls
