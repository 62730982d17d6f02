"""Demo data generated on the spot: an organisation, its team, fans, a music-video call with a few
dozen generated photos and a track (with an audience vote, a jury, scorecards, reviews and
comments under way, and a music video the Director plans from them), a small photo contest whose
results are published with two prizes to pay, and an open script contest with screenplays, a
community revision and a table read. Nothing is downloaded.

Everything goes through the services, as a person would have done it: where the story needs the
past (entries sent weeks ago, a round that has closed), the services' `now=` parameter says when.
"""

from __future__ import annotations

import io
import math
import random
import struct
import wave
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

if TYPE_CHECKING:
    from crowdstudio.campaigns.models import Campaign, Round
    from crowdstudio.entries.models import Entry
    from crowdstudio.voting.origin import Origin

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
    from crowdstudio.judging.services import rounds_tick

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
        # Fans signed up months ago (a brand-new account voting is a fraud signal).
        fiona = user("fan", "Fiona Fan", country="DE", date_joined=now - timedelta(days=200))
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
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for _month in range(12):
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
            start = end

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
        user(
            f"fan{n:02d}",
            name,
            # Chloé wins a prize in the photo contest, so she can sign in (My awards).
            email=n == 3,
            date_of_birth=now.date().replace(year=1995),
            date_joined=now - timedelta(days=120),
        )
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
    # The photos came in over the past week, the last ones half a day ago.
    step = (now - timedelta(hours=12) - rnd.opens_at) / max(photos, 1)
    for n in range(photos):
        sent_at = rnd.opens_at + step * n + timedelta(minutes=30)
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
            now=sent_at,
        )
        for asset in entry.assets.all():
            entries.intake_process_asset(asset_id=asset.id, now=sent_at + timedelta(minutes=1))
        if n < photos - 6:
            entries.entry_moderate(
                entry=Entry.objects.get(pk=entry.pk),
                user=moderator,
                decision=EntryStatus.APPROVED,
                now=sent_at + timedelta(hours=2),
            )

    say("Voting, judging and discussing…\n")
    judge = team[Role.JUDGE]
    summer = _summer_contest(
        rnd=rnd, fans=fans, fiona=fiona, producer=producer, judge=judge, now=now
    )
    say("Planning the music video…\n")
    _director(campaign=campaign, producer=producer, now=now)
    say("Writing screenplays…\n")
    _script_contest(contest=contest, fans=fans, producer=producer, moderator=moderator, now=now)
    say("Running a photo contest to its published results…\n")
    night = _night_shots(
        org=org, fans=fans, fiona=fiona, producer=producer, judge=judge, owner=owner, now=now
    )
    # What the worker's clock would do next: announce the open round to its followers.
    rounds_tick(now=now)
    say(
        f"\nWhat to look at (password: {DEMO_PASSWORD}):\n"
        f"  judge      My judging: {summer.scored} of {summer.assigned} entries of "
        "“Summer Nights” scored; “Night Shots” done\n"
        "  owner      Night Shots → Results; Payouts: one ready to send, one waiting for a tax "
        "form\n"
        "  producer   Summer Nights → Judging, the jury's progress, the leaderboard and vote "
        "integrity\n"
        f"  fan        Notifications; My awards (1st prize, {night.first_prize})\n"
        "  fan03      My awards: the runner-up, whose tax form on file has expired\n"
        "  producer   Summer Nights → Director: the planned music video; edit it and render\n"
        "  fan        First Draft 2027: a screenplay with a revision by Ben, its diff, lineage "
        "and table read\n"
    )
    return DemoSummary(created=True, campaign_slug=campaign.slug, photos=photos)


# --- Studio: the music video and the script contest ---------------------------------------------


def _director(*, campaign: Campaign, producer: Any, now: datetime) -> None:
    """A music video of the campaign's approved photos; the worker analyses the track and plans
    it when `make run` starts it."""
    from crowdstudio.studio import services as studio

    track = campaign.tracks.first()
    if track is not None:
        studio.montage_create(
            campaign=campaign,
            user=producer,
            title="Summer Nights — the fans' video",
            track=track,
            seed=7,
            now=now,
        )


SCRIPT_TITLES = [
    ("The Lighthouse Keeper's Daughter", "A keeper's daughter finds a stranger in the lamp room."),
    ("Night Bus", "Two strangers miss the last stop on purpose."),
    ("Small Hours", "A radio host takes one call too many."),
]
PLACES = ["LIGHTHOUSE - LAMP ROOM", "HARBOUR", "BUS - UPPER DECK", "RADIO STUDIO", "KITCHEN"]
LINES = [
    "You shouldn't be up here.",
    "Neither should you, and yet.",
    "The light has to turn. Every night, all night.",
    "Who decided that?",
    "Someone who lost a ship.",
    "Then let's keep it turning.",
]


def make_screenplay(seed: int, title: str, author: str, *, scenes: int = 3) -> str:
    """A short Fountain screenplay (about a page per scene) with a parenthetical, dual dialogue
    and a writer's note."""
    rng = random.Random(seed)  # noqa: S311
    names = rng.sample(["MARA", "TOM", "ELODIE", "SAM", "JUNO"], 2)
    out = [f"Title: {title}", "Credit: Written by", f"Author: {author}", ""]
    for n in range(scenes):
        place = PLACES[(seed + n) % len(PLACES)]
        time = rng.choice(["NIGHT", "DAY", "DAWN"])
        action = f"{names[0].title()} stands at the window. The beam sweeps the water."
        if n == 0:
            action += " [[Is this too slow for an opening?]]"
        out += ["", f"{'INT' if n % 2 == 0 else 'EXT'}. {place} - {time}", "", action]
        for k in range(4):
            out += ["", names[k % 2]]
            if k == 1:
                out.append("(quietly)")
            out.append(rng.choice(LINES))
        out += ["", names[0], "Now.", "", f"{names[1]} ^", "Now.", "", "CUT TO:"]
    return "\n".join(out) + "\n"


def _script_contest(
    *, contest: Campaign, fans: list[Any], producer: Any, moderator: Any, now: datetime
) -> None:
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.campaigns.services import Applicant
    from crowdstudio.entries import services as entries
    from crowdstudio.entries.models import EntryStatus
    from crowdstudio.screenplays import services as scripts
    from crowdstudio.screenplays import tableread_services

    terms = campaigns.terms_publish(
        campaign=contest,
        user=producer,
        body="The screenplay is yours. Northern Lights Pictures may read it, show it to the "
        "community and stage a table read of it. Revisions by others stay linked to your "
        "original with credit to both; prize money follows the published split rule.",
    )
    campaigns.campaign_transition(campaign=contest, to_status="open", user=producer)
    screenplays = []
    for n, (title, logline) in enumerate(SCRIPT_TITLES):
        writer = fans[n * 4]
        text = make_screenplay(n, title, writer.public_name)
        screenplay = scripts.screenplay_submit(
            campaign=contest,
            writer=writer,
            title=title,
            logline=logline,
            upload=SimpleUploadedFile(f"script-{n}.fountain", text.encode(), "text/plain"),
            collaboration="open" if n == 0 else "permission",
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(date_of_birth=writer.date_of_birth),
            now=now - timedelta(days=6 - n),
        )
        assert screenplay.entry is not None
        entries.entry_moderate(
            entry=screenplay.entry,
            user=moderator,
            decision=EntryStatus.APPROVED,
            now=now - timedelta(days=5 - n),
        )
        screenplays.append(screenplay)
    first = screenplays[0]
    original = first.versions.get(number=1)
    reviser = fans[1]
    revised = original.source.replace("Now.", "Not yet. Now.", 1).replace(
        "Who decided that?", "Who decided that, and when?"
    )
    scripts.revision_post(
        screenplay=first,
        author=reviser,
        based_on=[original.number],
        message="Tightened the ending of the first scene.",
        text=revised,
        now=now - timedelta(days=1),
    )
    tableread_services.table_read_request(version=original, user=fans[0], now=now)


# --- Contest data --------------------------------------------------------------------------------

RUBRIC = [
    ("Originality", "A fresh way of seeing a summer night.", Decimal("2")),
    ("Craft", "Exposure, focus, composition.", Decimal("1")),
    ("Fit to the brief", "Would it work in the video?", Decimal("1")),
]
JUDGE_COMMENTS = [
    "Lovely light. The horizon is a little tilted; straighten it and it sings.",
    "The colours carry the mood of the song. A tighter crop would help.",
    "Technically clean, but I have seen this view many times. What is yours in it?",
    "Great sense of place. The foreground is a bit dark for the video.",
    "Strong idea; the highlights are blown out around the moon.",
    "This one made me want to be there. Exactly what the brief asked for.",
    "Nice, calm frame; it would make a good opening shot.",
    "Busy composition: pick one subject and let it breathe.",
]


@dataclass(frozen=True)
class SummerContest:
    scored: int
    assigned: int


@dataclass(frozen=True)
class NightShots:
    first_prize: str


def _origin(address: str, device: str) -> Origin:
    """Where a demo vote came from, hashed exactly as for a real request."""
    from crowdstudio.voting.origin import origin_from_request

    request = HttpRequest()
    request.META.update(
        REMOTE_ADDR=address, HTTP_USER_AGENT=device, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8"
    )
    return origin_from_request(request)


def _seat_jury_and_rubric(*, rnd: Round, producer: Any, judge: Any) -> list[int]:
    from crowdstudio.judging import services as judging

    for member in (judge, producer):
        judging.jury_member_add(round=rnd, user=producer, member=member)
    return [
        judging.criterion_add(
            round=rnd, user=producer, name=name, description=description, weight=weight
        ).pk
        for name, description, weight in RUBRIC
    ]


def _summer_contest(
    *, rnd: Round, fans: list[Any], fiona: Any, producer: Any, judge: Any, now: datetime
) -> SummerContest:
    """The music-video call's open round: up-votes, a jury half way through, a discussion."""
    from crowdstudio.community import services as community
    from crowdstudio.entries.selectors import round_entries
    from crowdstudio.judging import selectors as judging_selectors
    from crowdstudio.judging import services as judging
    from crowdstudio.judging.models import Scorecard
    from crowdstudio.voting import services as voting

    rng = random.Random(11)  # noqa: S311 - demo data, not secrets
    judging.round_configure(
        round=rnd,
        user=producer,
        voting_scheme="upvote",
        vote_budget=None,
        voting_opens_at=None,
        voting_closes_at=None,
        blind_judging=False,
        normalisation="robust",
        jury_weight=70,
        results_scale="linear",
        tie_breaks=["jury", "audience", "submitted"],
    )
    criteria = _seat_jury_and_rubric(rnd=rnd, producer=producer, judge=judge)
    entries: list[Entry] = list(round_entries(rnd).select_related("author").order_by("pk"))

    # Up-votes over the last ten hours (every entry is older than that). Fiona and fan01–fan08
    # vote; fan09–fan12 do not. Each fan also up-votes someone outside the voting group, or the
    # group would look like a voting ring. fan06–fan08 voted from one phone at a party: the
    # integrity scan flags that as a shared device.
    voters = [fiona, *fans[:8]]
    voting_ids = {person.pk for person in voters}
    favourites = rng.sample(entries, min(10, len(entries)))
    outside = [e for e in entries if e.author_id not in voting_ids]
    party_phone = _origin("198.51.100.77", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile")
    moments = sorted(rng.sample(range(10, 600), 60), reverse=True)
    for index, person in enumerate(voters):
        if person in fans[5:8]:
            origin = party_phone
        else:
            origin = _origin(f"203.0.113.{20 + index}", f"Mozilla/5.0 (demo device {index})")
        picks = rng.sample(favourites, min(len(favourites), rng.randint(2, 4)))
        if person is not fiona and outside:
            picks.append(rng.choice(outside))
        for entry in dict.fromkeys(picks):  # once each, in order
            if entry.author_id == person.pk or not moments:
                continue
            voting.vote_cast(
                round=rnd,
                entry=entry,
                user=person,
                origin=origin,
                now=now - timedelta(minutes=moments.pop()),
            )
    voting.fraud_scan(round=rnd, now=now)

    # The judge is a third of the way through; the producer has scored a few; one draft.
    for judge_person, count in ((judge, 8), (producer, 4)):
        mine = list(judging_selectors.judge_entries(rnd, judge_person).order_by("pk")[:count])
        for n, entry in enumerate(mine):
            judging.scorecard_save(
                round=rnd,
                judge=judge_person,
                entry=entry,
                scores={pk: rng.randint(4, 10) for pk in criteria},
                comment=JUDGE_COMMENTS[n % len(JUDGE_COMMENTS)] if judge_person is judge else "",
                private_note="Shortlist for the chorus." if n == 0 else "",
                submit=True,
                now=now - timedelta(hours=6) + timedelta(minutes=10 * n),
            )
    carded = Scorecard.objects.filter(round=rnd, judge=judge).values("entry_id")
    draft = (
        judging_selectors.judge_entries(rnd, judge).exclude(pk__in=carded).order_by("pk").first()
    )
    if draft is not None:
        judging.scorecard_save(
            round=rnd,
            judge=judge,
            entry=draft,
            scores={criteria[0]: 7, criteria[1]: None, criteria[2]: None},
            comment="Coming back to this one.",
            now=now - timedelta(hours=2),
        )
    scored, assigned = judging_selectors.judge_progress(rnd, judge)

    # Fiona follows the campaign and one entry, reviews two, and a thread gets a reply.
    community.follow_set(user=fiona, following=True, campaign=rnd.campaign, now=now - timedelta(2))
    by_author: dict[int, Entry] = {}
    for entry in entries:
        by_author.setdefault(entry.author_id, entry)
    first, second = by_author.get(fans[0].pk), by_author.get(fans[1].pk)
    if first is not None and second is not None:
        community.follow_set(user=fiona, following=True, entry=second, now=now - timedelta(1))
        community.review_save(
            entry=first,
            user=fiona,
            rating=5,
            advice="The glow in this is beautiful. I would love a version with a little less sky.",
            now=now - timedelta(hours=9),
        )
        community.review_save(
            entry=second,
            user=fiona,
            rating=4,
            advice="Great colours and a real moment; the lights in the distance are a bit soft.",
            now=now - timedelta(hours=8),
        )
        community.review_save(
            entry=first,
            user=fans[3],
            rating=4,
            advice="Calm and warm. Try a tripod and a slower shutter next time for crisper lights.",
            now=now - timedelta(hours=7),
        )
        question = community.comment_post(
            entry=first,
            user=fiona,
            body="Where was this taken? It looks like the place near my grandmother's house.",
            now=now - timedelta(hours=5),
        )
        community.comment_post(
            entry=first,
            user=fans[0],
            parent=question,
            body="Thank you! Just outside town, a little after eleven at night.",
            now=now - timedelta(hours=4),
        )
        community.comment_post(
            entry=second,
            user=fans[4],
            body="I know that feeling of a summer night ending. Great timing!",
            now=now - timedelta(hours=3),
        )
    return SummerContest(scored=scored, assigned=assigned)


# Night Shots: who entered, and what the jury (judge, producer) and the audience (stars) said.
# Fiona's shot wins, Chloé's comes second; both prizes are cash, so both become payouts.
NIGHT_ENTRANTS = [  # (index into the fans list, None for Fiona; title)
    (None, "Neon rain on Kastanienallee"),
    (2, "The ferris wheel, switched off"),  # fan03, Chloé
    (1, "Night bus window"),
    (4, "Fog over the allotments"),
    (6, "Lighthouse, long exposure"),
    (8, "Moths at the porch light"),
]
NIGHT_CARDS = {  # entry index → (judge's scores, producer's scores), rubric order
    0: ((9, 8, 9), (8, 8, 8)),
    1: ((8, 8, 7), (8, 7, 7)),
    2: ((6, 7, 6), (5, 6, 6)),
    3: ((7, 5, 6), (6, 6, 5)),
    4: ((5, 6, 5), (4, 5, 5)),
    5: ((4, 6, 5), (5, 4, 4)),
}
NIGHT_STARS = {  # entry index → stars from the voters fan01, fan04, fan06, fan08, fan10–fan12
    0: (5, 5, 4, 5, 4, None, 5),
    1: (4, None, 5, 4, 4, 3, None),
    2: (3, 2, None, 3, None, None, 2),
    3: (None, 3, 3, None, 2, 4, None),
    4: (2, None, None, 2, 3, None, 3),
    5: (None, 3, 2, None, None, 2, None),
}
NIGHT_VOTERS = (0, 3, 5, 7, 9, 10, 11)  # fan01, fan04, …: none of them entered


def _night_shots(
    *, org: Any, fans: list[Any], fiona: Any, producer: Any, judge: Any, owner: Any, now: datetime
) -> NightShots:
    """A one-round photo contest that ran over the past weeks: entries, stars, a jury, then the
    round closed, the winners were confirmed, the results published, and the winners gave their
    payee details (one form on file has expired, so that payout waits for a new one)."""
    from crowdstudio.awards import services as awards
    from crowdstudio.campaigns import services as campaigns
    from crowdstudio.campaigns.services import Applicant
    from crowdstudio.community import services as community
    from crowdstudio.entries import services as entries
    from crowdstudio.entries.models import Entry, EntryStatus
    from crowdstudio.judging import selectors as judging_selectors
    from crowdstudio.judging import services as judging
    from crowdstudio.voting import services as voting

    opens, closes = now - timedelta(days=45), now - timedelta(days=15)
    night: Campaign = campaigns.campaign_create(
        organisation=org,
        user=producer,
        slug="night-shots",
        kind="photo_video",
        title="Night Shots — a photo contest",
        tagline="One photo of the night, any night. The jury and the audience decide.",
        brief="Show us the night as you see it: streets, skies, lights, quiet places. "
        "One photo per entry; the jury counts 60 %, the audience's stars 40 %.",
        accepted_kinds=["image"],
        max_file_mb=20,
    )
    rnd = campaigns.round_add(
        campaign=night, user=producer, title="Round 1", opens_at=opens, closes_at=closes
    )
    prizes = [
        campaigns.prize_add(
            round=rnd,
            user=producer,
            rank=rank,
            title=title,
            kind="cash",
            amount=amount,
            currency="EUR",
        )
        for rank, title, amount in (
            (1, "First prize", Decimal("300.00")),
            (2, "Runner-up", Decimal("100.00")),
        )
    ]
    terms = campaigns.terms_publish(
        campaign=night,
        user=producer,
        body="The photo is yours; Northern Lights Records may show it on this site and in its "
        "newsletter, with credit.",
    )
    campaigns.campaign_transition(
        campaign=night, to_status="open", user=producer, now=opens - timedelta(hours=1)
    )
    judging.round_configure(
        round=rnd,
        user=producer,
        voting_scheme="stars",
        vote_budget=None,
        voting_opens_at=None,
        voting_closes_at=None,
        blind_judging=True,
        normalisation="robust",
        jury_weight=60,
        results_scale="linear",
        tie_breaks=["jury", "audience", "submitted"],
    )
    criteria = _seat_jury_and_rubric(rnd=rnd, producer=producer, judge=judge)

    shots: list[Entry] = []
    for n, (fan_index, title) in enumerate(NIGHT_ENTRANTS):
        author = fiona if fan_index is None else fans[fan_index]
        sent_at = opens + timedelta(days=2 * n + 1, hours=3)
        entry = entries.entry_submit(
            campaign=night,
            author=author,
            title=title,
            description="",
            terms_version_id=terms.id,
            accept_terms=True,
            applicant=Applicant(date_of_birth=author.date_of_birth),
            files=[
                SimpleUploadedFile(
                    f"NIGHT_{n + 1:03d}.jpg", make_photo(100 + n, (1200, 800)), "image/jpeg"
                )
            ],
            now=sent_at,
        )
        for asset in entry.assets.all():
            entries.intake_process_asset(asset_id=asset.id, now=sent_at + timedelta(minutes=1))
        shots.append(
            entries.entry_moderate(
                entry=Entry.objects.get(pk=entry.pk),
                user=producer,
                decision=EntryStatus.APPROVED,
                now=sent_at + timedelta(hours=5),
            )
        )

    for n, stars in NIGHT_STARS.items():
        for v, value in enumerate(stars):
            if value is None:
                continue
            voting.vote_cast(
                round=rnd,
                entry=shots[n],
                user=fans[NIGHT_VOTERS[v]],
                value=value,
                origin=_origin(f"198.51.100.{10 + v}", f"Mozilla/5.0 (demo device {v})"),
                now=opens + timedelta(days=14 + n, hours=v),
            )
    for n, cards in NIGHT_CARDS.items():
        for person, scores in zip((judge, producer), cards, strict=True):
            judging.scorecard_save(
                round=rnd,
                judge=person,
                entry=shots[n],
                scores=dict(zip(criteria, scores, strict=True)),
                comment="Wonderful atmosphere." if n == 0 and person is judge else "",
                submit=True,
                now=closes - timedelta(days=3, hours=-n),
            )
    community.review_save(
        entry=shots[0],
        user=fans[3],
        rating=5,
        advice="The reflections in the puddles make it. Congratulations, lovely work!",
        now=closes - timedelta(days=2),
    )
    community.comment_post(
        entry=shots[0],
        user=fans[5],
        body="I walk down that street every night and never saw it like this.",
        now=closes - timedelta(days=1),
    )

    # The worker's clock closes the round a minute after its deadline and computes the results;
    # the campaign goes to judging. Two days later the winners are confirmed and published.
    judging.rounds_tick(now=closes + timedelta(minutes=1))
    campaigns.campaign_transition(
        campaign=night, to_status="judging", user=producer, now=closes + timedelta(hours=1)
    )
    snap = judging_selectors.snapshot(rnd)
    assert snap is not None, "closing the round computes its results"
    standings = judging_selectors.standings(snap)
    for prize, row in zip(prizes, standings, strict=False):
        awards.award_confirm(
            prize=prize, entry=row.entry, user=owner, now=closes + timedelta(days=2)
        )
    judging.results_publish(round=rnd, user=producer, now=closes + timedelta(days=2, hours=1))
    campaigns.campaign_transition(
        campaign=night, to_status="closed", user=producer, now=closes + timedelta(days=3)
    )

    # The winners' payee details: the runner-up's W-8BEN is from an earlier contest and has
    # expired, so finance sees that payout waiting for a tax form.
    winners = {row.rank: row.entry.author for row in standings[: len(prizes)]}
    details = {
        fiona.pk: ("Fiona Fan", "DE", "DE12345678901", (now - timedelta(days=10)).date()),
        fans[2].pk: ("Chloé Martin", "FR", "FR0123456789", date(now.year - 4, 3, 14)),
    }
    for rank in sorted(winners):
        winner = winners[rank]
        if winner.pk not in details:
            continue
        legal_name, country, taxpayer_id, signed_on = details[winner.pk]
        awards.payee_details_save(
            user=winner,
            legal_name=legal_name,
            country=country,
            tax_form="w8ben",
            form_signed_on=signed_on,
            taxpayer_id=taxpayer_id,
            now=now - timedelta(days=9),
        )
    first = prizes[0]
    return NightShots(first_prize=f"€{first.amount:.0f}")
