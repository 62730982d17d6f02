"""Helpers for the API tests: clients acting as a persona, real small images, entries made fast."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from crowdstudio.accounts.models import ApiToken, hash_token


def jpeg(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG whose content (and so perceptual hash) differs per seed."""
    img = Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256))
    draw = ImageDraw.Draw(img)
    for i in range(4):
        x = (seed * 17 + i * 13) % size[0]
        y = (seed * 11 + i * 7) % size[1]
        draw.ellipse(
            (x, y, x + size[0] // 2, y + size[1] // 2),
            fill=((i * 70 + seed * 5) % 256, (seed * 45) % 256, (255 - i * 50) % 256),
        )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def image_upload(seed: int = 0, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or f"night{seed}.jpg", jpeg(seed), "image/jpeg")


def make_token(user: Any, *, name: str = "script") -> str:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, prefix=raw[:8], token_hash=hash_token(raw))
    return raw


@pytest.fixture(name="jpeg")
def _jpeg_fixture() -> Callable[..., bytes]:
    return jpeg


@pytest.fixture(name="image_upload")
def _image_upload_fixture() -> Callable[..., SimpleUploadedFile]:
    return image_upload


@pytest.fixture(name="make_token")
def _make_token_fixture(db) -> Callable[..., str]:
    return make_token


class ApiClient:
    """A test client speaking JSON to /api/, signed in as one persona (or no one)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.client.post(
            f"/api{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **extra,
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api{path}", json.dumps(body), content_type="application/json")

    def multipart(self, path: str, data: dict[str, Any], **extra: Any) -> Any:
        return self.client.post(f"/api{path}", data, **extra)


@pytest.fixture
def api_as(personas) -> Callable[[str], ApiClient]:
    """`api_as("moderator")`: a JSON client with that persona's session."""

    def make(persona: str) -> ApiClient:
        client = Client()
        if persona != "anonymous":
            client.force_login(personas[persona])
        return ApiClient(client)

    return make


@pytest.fixture
def entry_form(open_campaign) -> Callable[..., dict[str, Any]]:
    """The multipart fields of a valid submission to the open campaign."""

    def make(*files: SimpleUploadedFile, **fields: Any) -> dict[str, Any]:
        terms = open_campaign.terms_versions.order_by("-version").first()
        data: dict[str, Any] = {
            "title": "Warm night",
            "description": "By the lake",
            "accept_terms": "true",
            "terms_version_id": terms.id,
        }
        data.update(fields)
        data["files"] = list(files) or [image_upload(1)]
        return data

    return make


@pytest.fixture
def submit(api_as, open_campaign, entry_form, django_capture_on_commit_callbacks, run_worker):
    """Submit through the API as a persona, then let the worker check the files."""

    def go(
        *files: SimpleUploadedFile,
        persona: str = "entrant",
        process: bool = True,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(persona).multipart(
                f"/campaigns/{open_campaign.slug}/entries",
                entry_form(*files, **fields),
                headers=headers or {},
            )
        if process:
            run_worker()
        return response

    return go
