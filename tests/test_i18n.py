"""The German catalogue is complete and compiled, and pages follow the visitor's language.

When one of these tests fails after you added or changed a user-facing string, run
`make messages`, translate the new entries in src/crowdstudio/locale/de/LC_MESSAGES/django.po
(no empty msgstr, no "#, fuzzy" left), then run `make messages` again to compile the .mo.
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

import crowdstudio
from tests.entries.samples import photo

PACKAGE_DIR = Path(crowdstudio.__file__).resolve().parent
LC_MESSAGES = PACKAGE_DIR / "locale" / "de" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
FIX = (
    "run `make messages` and translate the new entries in "
    "src/crowdstudio/locale/de/LC_MESSAGES/django.po"
)

GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
NBSP = "\u00a0"


# A small .po reader (stdlib only) -----------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def where(self) -> str:
        place = self.references[0] if self.references else "?"
        return f"{place}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")\s*$")


def _unquote(literal: str) -> str:
    assert literal.startswith('"') and literal.endswith('"'), literal
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def parse_po(path: Path) -> tuple[dict[str, str], list[PoEntry]]:
    """The header as a dict and the live entries; obsolete (#~) entries are left out."""
    entries: list[PoEntry] = []
    current = PoEntry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, target, started
        if started:
            entries.append(current)
        current, target, started = PoEntry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if started:  # a comment starts the next entry when no blank line separates them
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            if started:
                finish()
            current.references.extend(line[2:].split())
        elif line.startswith("#"):
            if started:
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {raw!r}"
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}: cannot read line {raw!r}"
            name, index, literal = match.group(1), int(match.group(2) or 0), match.group(3)
            if name in {"msgctxt", "msgid"} and started and current.msgstr:
                finish()
            started = True
            if name == "msgstr":
                current.msgstr[index] = _unquote(literal)
            else:
                setattr(current, name, _unquote(literal))
            target = (name, index)
    finish()

    header: dict[str, str] = {}
    live = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            for header_line in entry.msgstr.get(0, "").splitlines():
                name, _, value = header_line.partition(":")
                header[name.strip()] = value.strip()
        else:
            live.append(entry)
    return header, live


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], list[PoEntry]]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: {FIX}"
    return parse_po(PO_PATH)


# The catalogue itself ------------------------------------------------------------------------


def test_catalogue_header_is_german(catalogue):
    header, entries = catalogue
    assert header.get("Language") == "de"
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"
    assert header.get("Plural-Forms", "").startswith("nplurals=2;")
    assert len(entries) > 400  # sanity check of the parser: the catalogue is not empty


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    _, entries = catalogue
    fuzzy = [entry.where for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"Fuzzy entries (check them, then remove '#, fuzzy'); {FIX}:\n" + "\n".join(
        fuzzy
    )
    untranslated = []
    for entry in entries:
        forms = 2 if entry.msgid_plural is not None else 1
        if any(not entry.msgstr.get(i, "").strip() for i in range(forms)):
            untranslated.append(entry.where)
    assert not untranslated, f"Untranslated German messages; {FIX}:\n" + "\n".join(untranslated)


def test_no_duplicate_entries(catalogue):
    _, entries = catalogue
    keys = [entry.key for entry in entries]
    duplicates = sorted({str(key) for key in keys if keys.count(key) > 1})
    assert not duplicates, duplicates


_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def test_translations_keep_the_placeholders_and_html(catalogue):
    """`%(name)s` in the English text must reappear in German, or formatting raises KeyError."""
    _, entries = catalogue
    problems = []
    for entry in entries:
        pairs = [(entry.msgid, entry.msgstr.get(0, ""))]
        if entry.msgid_plural is not None:
            # German: form 0 is the singular, form 1 the plural.
            pairs.append((entry.msgid_plural, entry.msgstr.get(1, "")))
        for source, german in pairs:
            if not german:
                continue  # reported by the completeness test
            if placeholders(source) != placeholders(german):
                problems.append(
                    f"{entry.where}: placeholders {placeholders(source)} in English, "
                    f"{placeholders(german)} in German"
                )
            if sorted(_TAG.findall(source)) != sorted(_TAG.findall(german)):
                problems.append(f"{entry.where}: the HTML tags differ: {german!r}")
            if source.endswith("\n") != german.endswith("\n"):
                problems.append(f"{entry.where}: a trailing newline differs")
    assert not problems, "\n".join(problems)


def test_german_text_uses_informal_du(catalogue):
    """The product speaks to people as "du"; a formal "Sie"/"Ihr" would read inconsistent."""
    _, entries = catalogue
    formal = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")
    found = []
    for entry in entries:
        for text in entry.msgstr.values():
            # "Sie" at the start of a sentence may mean "they" (e.g. "Sie bleibt privat.").
            body = re.sub(r"(^|[.:!?]\s+)Sie\b", r"\1", text)
            if formal.search(body):
                found.append(f"{entry.where}: {text!r}")
    assert not found, "Use the informal du:\n" + "\n".join(found)


def test_compiled_catalogue_matches_the_po(catalogue):
    """django.mo is committed (CI has no gettext): it must be compiled from the current .po."""
    _, entries = catalogue
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `make messages`"
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    mo = dict(compiled._catalog)  # type: ignore[attr-defined]
    mo.pop("", None)  # the header

    expected: dict[object, str] = {}
    for entry in entries:
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr.get(0, "")
        else:
            for index, text in entry.msgstr.items():
                expected[(msgid, index)] = text
    # msgfmt leaves out empty translations; the completeness test reports those.
    expected = {key: text for key, text in expected.items() if text}
    stale = sorted(
        str(key) for key in expected.keys() | mo.keys() if expected.get(key) != mo.get(key)
    )
    assert not stale, (
        "django.mo is out of date with django.po; run `make messages` (or "
        "`crowdstudio compilemessages` in src/crowdstudio):\n" + "\n".join(stale[:20])
    )


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge")),
    reason="needs the gettext tools (xgettext, msgmerge) to extract the strings",
)
def test_catalogue_covers_every_marked_string(tmp_path, monkeypatch, settings, catalogue):
    """Extract the strings from a copy of the sources, as `make messages` does, and compare."""
    _, entries = catalogue
    copy = tmp_path / "crowdstudio"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("locale", "migrations", "static", "__pycache__", "*.pyc"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["de"],
        ignore_patterns=["*/migrations/*", "static/*"],
        keep_pot=True,
        verbosity=0,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    _, extracted = parse_po(copy / "locale" / "django.pot")
    in_sources = {entry.key: entry for entry in extracted}
    in_catalogue = {entry.key for entry in entries}
    missing = [in_sources[key].where for key in in_sources.keys() - in_catalogue]
    assert not missing, "Strings marked for translation but missing from the German catalogue; " + (
        f"{FIX}:\n" + "\n".join(sorted(missing))
    )
    stale = sorted(str(key[1]) for key in in_catalogue - in_sources.keys())
    assert not stale, f"The German catalogue has strings no source uses any more; {FIX}:\n" + (
        "\n".join(stale)
    )


# Pages in German and English -----------------------------------------------------------------


def german_date(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day}. {GERMAN_MONTHS[local.month - 1]} {local.year}"


def english_date(moment: datetime) -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


@pytest.fixture
def campaign(open_campaign, personas):
    """The open campaign with a second prize whose amount needs grouping and decimals."""
    from crowdstudio.campaigns import services

    services.prize_add(
        round=open_campaign.rounds.get(),
        user=personas["owner"],
        rank=2,
        title="Runner-up",
        kind="cash",
        amount=Decimal("1500.50"),
        currency="EUR",
    )
    return open_campaign


def entry_form_data(campaign) -> dict[str, object]:
    from crowdstudio.campaigns.services import current_terms

    return {
        "title": "Rooftop sunset",
        "uploads": [photo(1)],
        "accept_terms": "on",
        "terms_version_id": current_terms(campaign).id,
        "submission_key": str(uuid.uuid4()),
    }


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_home_page_in_german(client, campaign):
    html = page(client, reverse("home"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert '<html lang="de">' in html
    # Navigation and page text
    assert ">Kampagnen</a>" in html
    assert ">Anmelden</a>" in html
    assert ">Registrieren</a>" in html
    assert "Zum Inhalt springen" in html
    assert "Such dir einen aus und schick uns deine Arbeit." in html
    # Model choices (gettext_lazy) and the round's dates, written the German way
    assert "Musikvideo-Aufruf" in html
    assert ">Offen</span>" in html
    rnd = campaign.rounds.get()
    assert german_date(rnd.closes_at) in html
    assert "Campaigns" not in html
    assert "Log in" not in html


def test_home_page_stays_english_by_default(client, campaign):
    html = page(client, reverse("home"))
    assert '<html lang="en">' in html
    assert ">Campaigns</a>" in html
    assert ">Log in</a>" in html
    assert "Music-video call" in html
    assert english_date(campaign.rounds.get().closes_at) in html
    assert "Kampagnen" not in html
    assert "Anmelden" not in html


def test_campaign_page_in_german(client, campaign):
    html = page(client, reverse("campaign", args=[campaign.slug]), HTTP_ACCEPT_LANGUAGE="de")
    assert ">Mitmachen</a>" in html
    assert "Zeitplan und Preise" in html
    assert "Wer mitmachen kann" in html
    assert "Fotos, Videoclips, Audio" in html
    assert "Bis zu 5 Dateien pro Beitrag, jeweils höchstens 20 MB." in html
    assert "Video und Audio bis zu 5 Minuten lang." in html
    # Numbers and money: a thousands point, a decimal comma, the symbol after the amount
    assert f"1.500,50{NBSP}€" in html
    assert f"500{NBSP}€" in html
    # Dates and times: "24. Dezember 2026 16:35"
    rnd = campaign.rounds.get()
    closes = timezone.localtime(rnd.closes_at)
    assert f"{german_date(rnd.closes_at)} {closes:%H:%M}" in html
    assert "Schedule and prizes" not in html


def test_campaign_page_in_english(client, campaign):
    html = page(client, reverse("campaign", args=[campaign.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Schedule and prizes" in html
    assert "€1,500.50" in html
    assert english_date(campaign.rounds.get().closes_at) in html
    assert "Zeitplan" not in html


def test_entry_form_in_german(client, campaign, personas):
    client.force_login(personas["entrant"])
    html = page(client, reverse("entry_create", args=[campaign.slug]), HTTP_ACCEPT_LANGUAGE="de")
    assert "Bei „Summer Nights Video“ mitmachen" in html
    assert ">Meine Beiträge</a>" in html
    assert ">Abmelden</button>" in html
    assert ">Titel</label>" in html
    assert ">Dateien</label>" in html
    assert "Bis zu 5 Dateien mit jeweils höchstens 20 MB." in html
    assert "Teilnahmebedingungen (Version 1)" in html
    assert "Ich habe die Teilnahmebedingungen oben gelesen und akzeptiere sie." in html
    assert ">Beitrag einsenden</button>" in html
    assert "Send my entry" not in html


def test_messages_from_python_follow_the_language(client, campaign, personas):
    """Views and services translate their messages with gettext: German here too."""
    client.force_login(personas["entrant"])
    url = reverse("entry_create", args=[campaign.slug])
    response = client.post(
        url,
        entry_form_data(campaign),
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 413
    assert "Der Upload ist größer, als diese Kampagne erlaubt (20 MB pro Datei)." in (
        response.content.decode()
    )

    client.force_login(personas["owner"])  # the organising team may not enter
    response = client.post(url, entry_form_data(campaign), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code in {400, 403}
    assert "Mitglieder des Veranstalterteams können nicht teilnehmen." in (
        response.content.decode()
    )


def test_language_cookie_chooses_german(client, campaign):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = page(client, reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert ">Kampagnen</a>" in html


def test_language_switcher_sets_german_and_back(client, campaign):
    url = reverse("campaign", args=[campaign.slug])
    response = client.post(reverse("set_language"), {"language": "de", "next": url})
    assert response.status_code == 302
    assert response.headers["Location"] == url
    html = page(client, url)
    assert "Zeitplan und Preise" in html
    # The selector lists both languages, named in the page's language.
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html

    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Schedule and prizes" in page(client, url)
