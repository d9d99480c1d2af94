"""Embedding Plotly figures in pages under the Content-Security-Policy: no inline script.

A figure becomes an empty ``<div class="plotly-graph-div" data-plotly="…">`` plus its data in a
``<script type="application/json">`` (Django's ``json_script``); ``static/sicrm/sicrm.js`` draws every such div
with the page's local plotly.js. Figures are built elsewhere; this module only serialises them.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.io as pio
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString

CONFIG = {"displaylogo": False, "responsive": True}


# The "none" template keeps plotly.js's own plain look and spares every page the default template's JSON.
# Set as the default rather than with ``update_layout`` on each figure: plotly's property updates were most
# of the time a chart took to build (issue 15).
pio.templates.default = "none"
FONT = {"family": "system-ui, sans-serif", "size": 12}


def figure_html(fig: Any, *, div_id: str, config: dict[str, Any] | None = None) -> SafeString:
    """The figure's ``<div>`` and its data, in the house font unless the figure names one."""
    figure = json.loads(pio.to_json(fig, validate=False))  # plotly's encoder: dates, decimals, numpy arrays
    layout = figure.get("layout", {})
    layout.pop("template", None)
    layout["font"] = {**FONT, **layout.get("font", {})}
    data_id = f"{div_id}-data"
    payload = {"data": figure.get("data", []), "layout": layout, "config": config or CONFIG}
    return format_html(
        '<div id="{}" class="plotly-graph-div" data-plotly="{}"></div>{}',
        div_id,
        data_id,
        json_script(payload, data_id),
    )
