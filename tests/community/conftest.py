"""Fixtures for the community tests: a public entry of erin's and a fan to talk about it."""

from __future__ import annotations

import pytest


@pytest.fixture
def entry(personas, approved_entry):
    return approved_entry(personas["entrant"], title="Rooftop sunset")


@pytest.fixture
def fan(make_user):
    return make_user("fan1")


@pytest.fixture
def advice() -> str:
    return "Lovely colours; the horizon is a little tilted though."
