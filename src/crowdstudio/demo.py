"""Demo data generated on the spot: an organisation, its team, fans, a music-video call with a few
dozen generated photos and a track, and a script contest. Nothing is downloaded.
"""

from __future__ import annotations

import io
import math
import random
import struct
import wave
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

DEMO_PASSWORD = "crowdstudio-demo"  # noqa: S105 - printed by `make run`, demo accounts only
DEMO_DOMAIN = "demo.crowdstudio.test"

PALETTES = [
    ((255, 94, 77), (255, 196, 0)),
    ((29, 53, 87), (230, 57, 70)),
    ((42, 157, 143), (233, 196, 106)),
    ((94, 84, 142), (255, 166, 158)),
    ((0, 48, 73), (252, 191, 73)),
    ((17, 138, 178), (6, 214, 160)),
    ((131, 56, 236), (58, 134, 255)),
    ((251, 86, 7), (255, 0, 110)),
    ((38, 70, 83), (244, 162, 97)),
]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    campaign_slug: str
    photos: int


def make_photo(seed: int, size: tuple[int, int] = (1600, 1067)) -> bytes:
    """A 'night out' picture: a sky gradient, a glowing sun or moon, hills and a few lights."""
    rng = random.Random(seed)  # noqa: S311 - pictures, not secrets
    top, bottom = PALETTES[seed % len(PALETTES)]
    if rng.random() < 0.5:
        top, bottom = bottom, top
    width, height = size
    gradient = Image.linear_gradient("L").resize((width, height))
    img = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(img)
    cx, cy, r = rng.randint(200, width - 200), rng.randint(120, height // 2), rng.randint(60, 180)
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse((cx - 2 * r, cy - 2 * r, cx + 2 * r, cy + 2 * r), fill=140)
    img.paste((255, 240, 200), mask=glow.filter(ImageFilter.GaussianBlur(r)))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 248, 225))
    for layer in range(3):
        base = height - 120 - layer * 90 + rng.randint(-40, 40)
        shade = tuple(max(0, c // (layer + 2)) for c in bottom)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            points.append((x, base + int(60 * math.sin(x / rng.randint(90, 260) + layer * 1.7))))
        points.append((width, height))
        draw.polygon(points, fill=shade)
    for _ in range(rng.randint(20, 60)):
        x, y = rng.randint(0, width), rng.randint(height // 2, height)
        s = rng.randint(2, 6)
        draw.ellipse((x - s, y - s, x + s, y + s), fill=(255, 230, rng.randint(120, 220)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def make_track(seconds: float = 30.0, bpm: float = 120.0, rate: int = 44100) -> bytes:
    """A short 16-bit stereo WAV: kick on every beat, a hi-hat off-beat and a two-chord pad."""
    beat = 60.0 / bpm
    frames = int(seconds * rate)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        chunk = bytearray()
        for i in range(frames):
            t = i / rate
            in_beat = t % beat
            kick = math.sin(2 * math.pi * (50 + 90 * math.exp(-in_beat * 30)) * in_beat) * math.exp(
                -in_beat * 9
            )
            off = (t + beat / 2) % beat
            hat = (
                (((i * 1103515245 + 12345) >> 16) % 2000 / 1000.0 - 1.0)
                * math.exp(-off * 60)
                * 0.25
            )
            chord = (220.0, 277.18) if int(t / (beat * 4)) % 2 == 0 else (196.0, 246.94)
            pad = sum(math.sin(2 * math.pi * f * t) for f in chord) * 0.08
            sample = max(-1.0, min(1.0, 0.7 * kick + hat + pad))
            value = int(sample * 30000)
            chunk += struct.pack("<hh", value, value)
            if len(chunk) >= 1 << 16:
                wav.writeframes(bytes(chunk))
                chunk.clear()
        wav.writeframes(bytes(chunk))
    return out.getvalue()


def load_demo(*, photos: int = 36, stdout=None) -> DemoSummary:
    """Create the demo world once; running it again changes nothing."""
    from django.conf import settings

    from crowdstudio.accounts.models import Membership, Organisation, Role, User
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.campaigns.services import Applicant
    from crowdstudio.entries import services as entries
    from crowdstudio.entries.models import Entry, EntryStatus

    if not settings.DEBUG:
        # The demo accounts have a published password and one of them is a superuser.
        raise RuntimeError("Demo data is for development only; it refuses to run with DEBUG off.")
    if Organisation.objects.filter(slug="northern-lights").exists():
        return DemoSummary(created=False, campaign_slug="summer-nights", photos=0)

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    def user(name: str, display: str, *, email: bool = True, **extra) -> User:
        person = User.objects.create_user(
            username=name,
            email=f"{name}@{DEMO_DOMAIN}" if email else "",
            password=DEMO_PASSWORD,
            display_name=display,
            **extra,
        )
        if email:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(
                user=person, email=person.email, verified=True, primary=True
            )
        return person

    now = timezone.now()
    with transaction.atomic():
        org = Organisation.objects.create(name="Northern Lights Records", slug="northern-lights")
        owner = user("owner", "Olivia Owner", is_staff=True, is_superuser=True)
        team = {
            Role.OWNER: owner,
            Role.PRODUCER: user("producer", "Pablo Producer"),
            Role.MODERATOR: user("moderator", "Maya Moderator"),
            Role.JUDGE: user("judge", "Jonas Judge"),
        }
        for role, person in team.items():
            Membership.objects.create(organisation=org, user=person, role=role)
        user("fan", "Fiona Fan", country="DE")
        producer = team[Role.PRODUCER]

        campaign = campaigns.campaign_create(
            organisation=org,
            user=producer,
            slug="summer-nights",
            kind="music_video",
            title="Summer Nights — the fan-made music video",
            tagline="Send us your summer night. The best shots make the official video.",
            brief=(
                "Our band **The Long Evenings** is releasing *Summer Nights* and we want the "
                "video to be yours.\n\n"
                "1. Take photos or short clips of your summer nights: skies, streets, friends, "
                "concerts.\n2. Enter them here (or tag them **#summernightsvideo**).\n"
                "3. Every contributor whose shot is used is named in the credits.\n"
            ),
            rules="Only your own photos. No faces of people who did not agree. Landscape or "
            "portrait, at least 1 megapixel.",
            hashtags="#summernightsvideo #longevenings",
            accepted_kinds=["image", "video"],
            max_file_mb=50,
            max_duration_seconds=60,
            min_age=13,
        )
        rnd = campaigns.round_add(
            campaign=campaign,
            user=producer,
            title="Submissions",
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=30),
        )
        campaigns.prize_add(
            round=rnd,
            user=producer,
            rank=1,
            title="Backstage passes + credit",
            kind="cash",
            amount=Decimal("500.00"),
            currency="EUR",
        )
        campaigns.prize_add(
            round=rnd,
            user=producer,
            rank=2,
            title="Signed vinyl",
            kind="cash",
            amount=Decimal("100.00"),
            currency="EUR",
        )
        campaigns.terms_publish(
            campaign=campaign,
            user=producer,
            body="You confirm the material is yours, and you grant Northern Lights Records a "
            "non-exclusive licence to use it in the *Summer Nights* video and its promotion, "
            "with credit by your display name.",
        )
        campaigns.campaign_transition(campaign=campaign, to_status="open", user=producer)

        contest = campaigns.campaign_create(
            organisation=org,
            user=producer,
            slug="first-draft-2027",
            kind="script",
            title="First Draft 2027 — the open script contest",
            tagline="Monthly awards, community revisions and a table read for the winner.",
            brief="Upload a feature or short screenplay. Each month the jury picks the best "
            "three; the year's winner gets a table read with our cast.",
            accepted_kinds=["image"],
            min_age=18,
        )
        year = now.year + 1
        for month in range(1, 13):
            start = now.replace(
                year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0
            )
            end = (start + timedelta(days=32)).replace(day=1)
            monthly = campaigns.round_add(
                campaign=contest,
                user=producer,
                title=f"{start:%B %Y}",
                opens_at=start,
                closes_at=end,
            )
            campaigns.prize_add(
                round=monthly,
                user=producer,
                rank=1,
                title="Monthly award",
                kind="cash",
                amount=Decimal("1000.00"),
                currency="USD",
            )

    say("Generating the music track…\n")
    track_bytes = make_track()
    entries.track_upload(
        campaign=campaign,
        user=producer,
        title="Summer Nights",
        artist="The Long Evenings",
        upload=SimpleUploadedFile("summer-nights.wav", track_bytes, "audio/wav"),
    )

    fans = [
        user(f"fan{n:02d}", name, email=False, date_of_birth=now.date().replace(year=1995))
        for n, name in enumerate(
            [
                "Ada",
                "Ben",
                "Chloé",
                "Dario",
                "Emre",
                "Femi",
                "Greta",
                "Hiro",
                "Ines",
                "Jakub",
                "Kofi",
                "Lena",
            ],
            start=1,
        )
    ]
    terms = campaigns.current_terms(campaign)
    assert terms is not None
    moderator = team[Role.MODERATOR]
    rng = random.Random(7)  # noqa: S311
    say(f"Generating and processing {photos} photos…\n")
    for n in range(photos):
        fan = fans[n % len(fans)]
        data = make_photo(n)
        if n == photos - 1:  # a near-duplicate for the moderators to find: re-saved, brighter
            img = Image.open(io.BytesIO(make_photo(0))).point(lambda v: min(255, v + 12))
            out = io.BytesIO()
            img.resize((1200, 800)).save(out, "JPEG", quality=80)
            data = out.getvalue()
        entry = entries.entry_submit(
            campaign=campaign,
            author=fan,
            title=rng.choice(
                [
                    "Rooftop sunset",
                    "Last tram home",
                    "Lake at midnight",
                    "Festival glow",
                    "Balcony moon",
                    "Beach bonfire",
                    "Hills after rain",
                    "City lights",
                ]
            ),
            description="",
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(date_of_birth=fan.date_of_birth),
            files=[SimpleUploadedFile(f"IMG_{4000 + n}.jpg", data, "image/jpeg")],
        )
        for asset in entry.assets.all():
            entries.intake_process_asset(asset_id=asset.id)
        if n < photos - 6:
            entries.entry_moderate(
                entry=Entry.objects.get(pk=entry.pk), user=moderator, decision=EntryStatus.APPROVED
            )
    return DemoSummary(created=True, campaign_slug=campaign.slug, photos=photos)
