"""API routes of the community app."""

from ninja import Router

router = Router(tags=["community"])
