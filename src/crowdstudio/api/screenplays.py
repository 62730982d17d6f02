"""API routes of the screenplays app."""

# No `from __future__ import annotations`: ninja reads the handlers' annotations at import time.

from ninja import Router

router = Router(tags=["screenplays"])
