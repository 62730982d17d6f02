"""API routes of the judging app."""

from ninja import Router

router = Router(tags=["judging"])
