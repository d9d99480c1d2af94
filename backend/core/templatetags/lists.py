"""Template helpers of the list pages (``backend.core.lists``): a sortable column header."""

from __future__ import annotations

from typing import Any

from django import template

from backend.core.lists import Listing

register = template.Library()


@register.inclusion_tag("core/_sort_header.html")
def sort_th(listing: Listing, key: str, css: str = "") -> dict[str, Any]:
    """``<th>`` of the column ``key``: a link that sorts by it (the other way round when it is the sort in
    force), with an arrow showing the direction."""
    return {"h": listing.header(key), "css": css}
