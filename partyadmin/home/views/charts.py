"""ECharts options for the home pages' bar charts, each with the link behind every bar
(static/js/charts.js opens links[series][bar] on a click)."""

from __future__ import annotations

from typing import NamedTuple


class Series(NamedTuple):
    name: str
    data: list[int]
    links: list[str]


def bar_chart(categories: list[str], series: list[Series], *, horizontal: bool = False,
              stacked: bool = False) -> dict:  # fmt: skip
    labels = {"type": "category", "data": categories}
    values = {"type": "value", "minInterval": 1}
    if horizontal:
        labels["inverse"] = True
    bars = []
    for s in series:
        bar = {"name": s.name, "type": "bar", "data": s.data}
        if stacked:
            bar["stack"] = "total"
        bars.append(bar)
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": values if horizontal else labels,
            "yAxis": labels if horizontal else values,
            "series": bars,
        },
        "links": [s.links for s in series],
    }
