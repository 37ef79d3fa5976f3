"""Geometry for server-rendered inline SVG charts (no JS chart library): a radar of the six
elements, stacked 1–5 bars and trend lines. Templates draw the shapes; every chart has its
numbers in a table beside it for screen readers, and series differ by dash pattern and marker,
not only by colour, so they stay readable in grey-scale print.

Every coordinate leaves here as a string with a decimal point: a float rendered by a template
in Dutch would get a decimal comma, which SVG does not read (and formatting thousands of
numbers per page is slow)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SCALE_MIN, SCALE_MAX = 1.0, 5.0
# Series styles: stroke dash patterns that survive grey-scale printing.
DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "10 4"]
# Bar fills from light (1) to dark (5): ordered greys that also print.
BAR_FILLS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]


@dataclass
class RadarSeries:
    name: str
    points: str  # "x,y x,y ..." for <polygon points>
    dots: list[tuple[str, str]]
    dash: str
    css: str


@dataclass
class Radar:
    size: int
    centre: str
    axes: list[dict]
    rings: list[str]
    series: list[RadarSeries]
    scale: list[dict] = field(default_factory=list)  # the values 1..5 along the first axis


def _n(value: float) -> str:
    return f"{value:.1f}"


def _point(
    centre: float, radius: float, index: int, count: int, value: float
) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
    return round(centre + r * math.cos(angle), 1), round(centre + r * math.sin(angle), 1)


def radar(
    labels: list[str], series: list[tuple[str, list[float | None]]], size: int = 320
) -> Radar:
    """A radar ("spider") of values on the 1..5 scale; a missing value is drawn at the centre."""
    centre = size / 2
    radius = size / 2 - 48
    count = len(labels)
    axes = []
    for index, label in enumerate(labels):
        x, y = _point(centre, radius, index, count, SCALE_MAX)
        lx, ly = _point(centre, radius + 26, index, count, SCALE_MAX)
        axes.append({"x": _n(x), "y": _n(y), "label": label, "lx": _n(lx), "ly": _n(ly)})
    rings = [
        " ".join(
            f"{x},{y}" for x, y in (_point(centre, radius, i, count, level) for i in range(count))
        )
        for level in (2, 3, 4, 5)
    ]
    drawn = []
    for number, (name, values) in enumerate(series):
        dots = [
            _point(centre, radius, i, count, SCALE_MIN if v is None else v)
            for i, v in enumerate(values)
        ]
        drawn.append(
            RadarSeries(
                name=name,
                points=" ".join(f"{x},{y}" for x, y in dots),
                dots=[(_n(x), _n(y)) for x, y in dots],
                dash=DASHES[number % len(DASHES)],
                css=f"series-{number}",
            )
        )
    scale = []
    for level in range(int(SCALE_MIN), int(SCALE_MAX) + 1):
        x, y = _point(centre, radius, 0, count, level)
        scale.append({"x": _n(x + 4), "y": _n(y), "label": level})
    return Radar(size=size, centre=_n(centre), axes=axes, rings=rings, series=drawn, scale=scale)


def stacked(percentages: list[float]) -> list[dict]:
    """Segments (x, width, fill, value) of a 0..100 wide bar for the answers 1..5."""
    segments, x = [], 0.0
    for value in range(1, 6):
        width = percentages[value]
        if width > 0:
            segments.append(
                {
                    "x": f"{x:.2f}",
                    "width": f"{width:.2f}",
                    "fill": BAR_FILLS[value - 1],
                    "value": value,
                }
            )
        x += width
    return segments


def trend_lines(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    width: int = 480,
    height: int = 200,
    breaks: dict[str, set[int]] | None = None,
) -> dict:
    """Polylines of each series over the cycles (x) on the 1..5 scale (y); gaps where None.
    ``breaks`` names, per series, the indices where a new line starts: the instrument changed
    there, so the points before and after are not joined (issue 18)."""
    left, right, top, bottom = 36, 12, 12, 28
    steps = max(len(labels) - 1, 1)

    def x_at(i: int) -> float:
        return round(left + (width - left - right) * i / steps, 1)

    def y_at(v: float) -> float:
        return round(top + (height - top - bottom) * (SCALE_MAX - v) / (SCALE_MAX - SCALE_MIN), 1)

    lines = []
    for number, (name, values) in enumerate(series):
        points = [(x_at(i), y_at(v)) for i, v in enumerate(values) if v is not None]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if i in (breaks or {}).get(name, ()) and segments[-1]:
                segments.append([])
            if v is not None:
                segments[-1].append((x_at(i), y_at(v)))
        lines.append(
            {
                "name": name,
                "points": " ".join(f"{x},{y}" for x, y in points),
                "segments": [" ".join(f"{x},{y}" for x, y in part) for part in segments if part],
                "dots": [(_n(x), _n(y)) for x, y in points],
                "dash": DASHES[number % len(DASHES)],
                "css": f"series-{number}",
            }
        )
    return {
        "width": width,
        "height": height,
        "lines": lines,
        # The first label starts at its point and the last ends at it, so neither is clipped
        # at the chart's edge ("2025-20…").
        "x_labels": [
            {
                "x": _n(x_at(i)),
                "y": _n(height - bottom + 16),
                "label": label,
                "anchor": "start" if i == 0 else "end" if i == len(labels) - 1 else "middle",
            }
            for i, label in enumerate(labels)
        ],
        "y_ticks": [{"y": _n(y_at(v)), "label": int(v)} for v in (1, 2, 3, 4, 5)],
        "left": left,
        "tick_x": left - 6,
        "right": width - right,
        "bottom": height - bottom,
    }
