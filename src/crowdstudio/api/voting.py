"""API routes of the voting app."""

from ninja import Router

router = Router(tags=["voting"])
