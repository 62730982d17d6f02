"""Template helpers for campaign pages: Markdown, status badges, money and gallery thumbnails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from crowdstudio.campaigns.models import MediaKind
from crowdstudio.lib.markdown import render_markdown

register = template.Library()

# Symbols for the currencies organisers actually use; any other ISO code is shown as the code.
_SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CHF": "CHF",
    "SEK": "kr",
    "NOK": "kr",
    "DKK": "kr",
    "PLN": "zł",
    "CZK": "Kč",
}
# Languages that write the symbol after the amount ("1.500,00 €"); English puts it first.
_SYMBOL_AFTER = {"de", "fr", "es", "it", "nl", "pl", "cs", "sv", "da", "nb", "fi", "pt"}
_NBSP = "\u00a0"


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Organiser or entrant Markdown, rendered and sanitised (no scripts, no styles)."""
    return render_markdown(text or "")


@register.simple_tag
def status_badge(status: str, label: str = "") -> SafeString:
    """`<span class="badge open">Open</span>`; the class picks the colour in site.css."""
    return format_html('<span class="badge {}">{}</span>', status, label or status)


@register.filter
def money(amount: Decimal | int | float | None, currency: str = "EUR") -> str:
    """An amount with its currency, written the way the active language writes money."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    places = 0 if value == value.to_integral_value() else 2
    number = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    code = (currency or "").upper()
    symbol = _SYMBOLS.get(code, code)
    language = (get_language() or "en").split("-")[0]
    if language in _SYMBOL_AFTER:
        return f"{number}{_NBSP}{symbol}"
    if len(symbol) > 1:
        return f"{symbol}{_NBSP}{number}"
    return f"{symbol}{number}"


@register.filter
def entry_thumb(entry: Any) -> Any:
    """The rendition to show for an entry in a gallery: the cover's thumb, or a video's poster."""
    asset = getattr(entry, "cover", None)
    if asset is None:
        return None
    return asset.rendition("thumb") or asset.rendition("poster")


@register.filter
def is_video(entry: Any) -> bool:
    asset = getattr(entry, "cover", None)
    return asset is not None and asset.kind == "video"


@register.filter
def media_labels(kinds: list[str] | None) -> list[str]:
    """["image", "video"] → ["Photos", "Video clips"], in the campaign's order."""
    labels = dict(MediaKind.choices)
    return [str(labels.get(kind, kind)) for kind in kinds or []]


@register.filter
def duration(seconds: int | None) -> str:
    """300 → "5 minutes", 90 → "1 min 30 s", 45 → "45 seconds"."""
    if not seconds:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return ngettext("%(n)s second", "%(n)s seconds", rest) % {"n": rest}
    if not rest:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    return _("%(m)s min %(s)s s") % {"m": minutes, "s": rest}
