"""Page-number pagination with bounded inputs, so an absurd page number is a 422, not a 500."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)
