"""Credits from the version lineage and the award split rule. Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crowdstudio.screenplays.credits import (
    Credit,
    CreditRole,
    LineageError,
    Share,
    VersionInfo,
    ancestry,
    award_split,
    credits_for,
)

W, R = CreditRole.WRITTEN_BY, CreditRole.REVISIONS_BY
NAMES = {1: "Mara", 2: "Jonas", 3: "Eli", 4: "Ada"}


def v(number: int, author: int, *parents: int) -> VersionInfo:
    return VersionInfo(number=number, author_id=author, author_name=NAMES[author], parents=parents)


def amounts(shares: list[Share]) -> list[tuple[str, Decimal]]:
    return [(s.author_name, s.amount) for s in shares]


def test_only_the_writer_is_credited_and_gets_everything():
    lineage = [v(1, 1), v(2, 1, 1)]
    assert credits_for(lineage) == [Credit(W, 1, "Mara", (1, 2))]
    shares = award_split(lineage, version=2, amount=Decimal("500.00"))
    assert amounts(shares) == [("Mara", Decimal("500.00"))]
    assert shares[0].versions == (1, 2)


def test_one_reviser_shares_half_with_the_writer():
    lineage = [v(1, 1), v(2, 2, 1)]
    assert credits_for(lineage, version=2) == [
        Credit(W, 1, "Mara", (1,)),
        Credit(R, 2, "Jonas", (2,)),
    ]
    shares = award_split(lineage, version=2, amount=Decimal("500.00"), weights={2: 40})
    assert amounts(shares) == [("Mara", Decimal("250.00")), ("Jonas", Decimal("250.00"))]
    assert [s.role for s in shares] == [W, R]


def test_three_revisers_share_the_half_by_words_changed():
    # 1 (Mara) ← 2 (Jonas) ← 3 (Eli) ← 4 (Ada) ← 5 (Jonas)
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 2), v(4, 4, 3), v(5, 2, 4)]
    assert [(c.author_name, c.versions) for c in credits_for(lineage, version=5)] == [
        ("Mara", (1,)),
        ("Jonas", (2, 5)),
        ("Eli", (3,)),
        ("Ada", (4,)),
    ]
    weights = {2: 30, 3: 50, 4: 100, 5: 20}  # Jonas 50, Eli 50, Ada 100 of 200
    shares = award_split(lineage, version=5, amount=Decimal("1000.00"), weights=weights)
    assert amounts(shares) == [
        ("Mara", Decimal("500.00")),
        ("Jonas", Decimal("125.00")),
        ("Eli", Decimal("125.00")),
        ("Ada", Decimal("250.00")),
    ]
    assert [s.weight for s in shares] == [0, 50, 50, 100]


def test_without_weights_the_revisers_share_equally():
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 2), v(4, 4, 3)]
    shares = award_split(lineage, version=4, amount=Decimal("600.00"))
    assert amounts(shares) == [
        ("Mara", Decimal("300.00")),
        ("Jonas", Decimal("100.00")),
        ("Eli", Decimal("100.00")),
        ("Ada", Decimal("100.00")),
    ]


def test_a_merge_credits_the_revisers_of_both_parents():
    # 1 (Mara) → 2 (Jonas) and 3 (Eli), merged by 4 (Ada)
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 1), v(4, 4, 2, 3)]
    assert ancestry(lineage, 4) == {1, 2, 3, 4}
    assert [c.author_name for c in credits_for(lineage, version=4)] == [
        "Mara",
        "Jonas",
        "Eli",
        "Ada",
    ]
    shares = award_split(
        lineage, version=4, amount=Decimal("100.00"), weights={2: 10, 3: 10, 4: 20}
    )
    assert amounts(shares) == [
        ("Mara", Decimal("50.00")),
        ("Jonas", Decimal("12.50")),
        ("Eli", Decimal("12.50")),
        ("Ada", Decimal("25.00")),
    ]


def test_a_reviser_outside_the_ancestry_gets_no_credit_and_nothing():
    # Eli's version 3 branches off 1; the award goes to Jonas's version 2.
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 1)]
    assert [c.author_name for c in credits_for(lineage, version=2)] == ["Mara", "Jonas"]
    assert [c.author_name for c in credits_for(lineage)] == ["Mara", "Jonas", "Eli"]
    shares = award_split(lineage, version=2, amount=Decimal("90.00"), weights={2: 5})
    assert amounts(shares) == [("Mara", Decimal("45.00")), ("Jonas", Decimal("45.00"))]


def test_an_award_to_the_original_goes_to_the_writer_alone():
    lineage = [v(1, 1), v(2, 2, 1)]
    shares = award_split(lineage, version=1, amount=Decimal("10.00"), weights={2: 99})
    assert amounts(shares) == [("Mara", Decimal("10.00"))]


def test_the_writers_own_revisions_count_as_writing_not_as_revisions():
    lineage = [v(1, 1), v(2, 2, 1), v(3, 1, 2)]
    assert credits_for(lineage, version=3) == [
        Credit(W, 1, "Mara", (1, 3)),
        Credit(R, 2, "Jonas", (2,)),
    ]
    shares = award_split(lineage, version=3, amount=Decimal("10.00"), weights={2: 1, 3: 999})
    assert amounts(shares) == [("Mara", Decimal("5.00")), ("Jonas", Decimal("5.00"))]


def test_rounding_is_exact_and_leftover_cents_go_to_the_writer():
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 2), v(4, 4, 3)]
    shares = award_split(lineage, version=4, amount=Decimal("100.01"))
    assert amounts(shares) == [
        ("Mara", Decimal("50.03")),
        ("Jonas", Decimal("16.66")),
        ("Eli", Decimal("16.66")),
        ("Ada", Decimal("16.66")),
    ]
    assert sum(s.amount for s in shares) == Decimal("100.01")
    weighted = award_split(lineage, version=4, amount=Decimal("0.07"), weights={2: 1, 3: 1, 4: 1})
    assert sum(s.amount for s in weighted) == Decimal("0.07")
    # a pool of 3.5 cents: 1.17 each floors to 1 cent, the writer takes the other 4
    assert [s.amount for s in weighted] == [Decimal("0.04"), *[Decimal("0.01")] * 3]


def test_shares_always_sum_to_the_amount_and_the_writer_keeps_half():
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3, 2), v(4, 4, 3)]
    for cents in range(0, 2000, 37):
        amount = Decimal(cents) / 100
        for weights in ({2: 1, 3: 2, 4: 7}, {2: 0, 3: 0, 4: 0}, {2: 3, 3: 0, 4: 0}):
            shares = award_split(lineage, version=4, amount=amount, weights=weights)
            assert sum(s.amount for s in shares) == amount
            assert shares[0].amount * 2 >= amount
            assert all(
                s.amount >= 0 and s.amount == s.amount.quantize(Decimal("0.01")) for s in shares
            )


def test_a_contest_may_give_the_writer_more_but_never_less_than_half():
    lineage = [v(1, 1), v(2, 2, 1)]
    shares = award_split(lineage, version=2, amount=Decimal("100.00"), writer_share=Decimal("0.75"))
    assert amounts(shares) == [("Mara", Decimal("75.00")), ("Jonas", Decimal("25.00"))]
    with pytest.raises(ValueError, match="50 %"):
        award_split(lineage, version=2, amount=Decimal("1"), writer_share=Decimal("0.4"))


@pytest.mark.parametrize(
    "amount, message",
    [(Decimal("-1"), "negative"), (Decimal("1.005"), "whole cents"), (Decimal("NaN"), "finite")],
)
def test_it_refuses_a_bad_amount(amount, message):
    with pytest.raises(ValueError, match=message):
        award_split([v(1, 1)], version=1, amount=amount)


def test_it_refuses_a_missing_or_negative_weight():
    lineage = [v(1, 1), v(2, 2, 1)]
    with pytest.raises(ValueError, match="no weight given for version 2"):
        award_split(lineage, version=2, amount=Decimal("1.00"), weights={})
    with pytest.raises(ValueError, match="negative"):
        award_split(lineage, version=2, amount=Decimal("1.00"), weights={2: -1})


@pytest.mark.parametrize(
    "lineage, message",
    [
        ([], "no versions"),
        ([v(1, 1), v(1, 2)], "listed twice"),
        ([v(1, 1), v(2, 2, 7)], "unknown version 7"),
        ([v(1, 1, 1)], "based on itself"),
        ([v(1, 1), v(2, 2, 3), v(3, 3, 2)], "its own ancestor"),
        ([v(1, 1, 2), v(2, 2, 1)], "its own ancestor"),
    ],
)
def test_it_refuses_a_broken_lineage(lineage, message):
    with pytest.raises(LineageError, match=message):
        credits_for(lineage)


def test_it_refuses_an_unknown_credited_version():
    with pytest.raises(LineageError, match="no version 9"):
        credits_for([v(1, 1)], version=9)


def test_a_second_original_in_the_lineage_is_written_by_its_own_author():
    # Eli uploads an unrelated original (no parents) into the same project.
    lineage = [v(1, 1), v(2, 2, 1), v(3, 3)]
    assert credits_for(lineage, version=3) == [Credit(W, 3, "Eli", (3,))]
    assert amounts(award_split(lineage, version=3, amount=Decimal("8.00"))) == [
        ("Eli", Decimal("8.00"))
    ]
    assert credits_for(lineage)[0] == Credit(W, 1, "Mara", (1,))
