"""Inline SVG charts drawn by hand: no JavaScript, no external resources, every label escaped.

Three charts: adherence by condition (a dot plot with CI whiskers, one row per stratum), a
forest plot of the gap (one row per stratum, grouped under target headers, with the ±margin
band and the zero line) and a white-box method's effect by layer (bars from zero). All scale to
their container through ``viewBox``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

OBSERVED = "#2563eb"
UNOBSERVED = "#ea580c"
INK, MUTED, GRID, STRIPE = "#1e293b", "#64748b", "#e2e8f0", "#f8fafc"
VERDICT_COLOURS = {
    "faking": "#b91c1c",
    "consistent": "#15803d",
    "noncompliant": "#b45309",
    "inconclusive": "#475569",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class AdherenceRow:
    """One stratum in the adherence chart (proportions in [0, 1]; None when unknown)."""

    label: str
    observed: float | None
    observed_ci: tuple[float, float] | None
    unobserved: float | None
    unobserved_ci: tuple[float, float] | None


@dataclass(frozen=True)
class ForestRow:
    """One row of the forest plot: a ``target`` or ``suite`` group header, or a ``stratum``."""

    label: str
    kind: str = "stratum"
    gap: float | None = None
    ci: tuple[float, float] | None = None
    verdict: str = ""
    detail: str = ""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, **kw: str) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in kw.items())
        self.parts.append(
            f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
            f'stroke="{stroke}"{extra}/>'
        )

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, *, tip: str = "", **kw: str
    ) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in kw.items())
        body = f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" fill="{fill}"'
        body += extra
        self.parts.append(f"{body}><title>{_e(tip)}</title></rect>" if tip else f"{body}/>")

    def text(self, x: float, y: float, body: str, *, title: str = "", **kw: str) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in kw.items())
        tip = f"<title>{_e(title)}</title>" if title else ""
        self.parts.append(f'<text x="{_f(x)}" y="{_f(y)}"{extra}>{tip}{_e(body)}</text>')

    def whisker(self, x1: float, x2: float, y: float, colour: str, cap: float = 4) -> None:
        self.line(x1, y, x2, y, colour, stroke_width="1.6")
        self.line(x1, y - cap, x1, y + cap, colour, stroke_width="1.6")
        self.line(x2, y - cap, x2, y + cap, colour, stroke_width="1.6")

    def marker(self, shape: str, x: float, y: float, colour: str, tip: str) -> None:
        title = f"<title>{_e(tip)}</title>"
        if shape == "circle":
            body = f'<circle cx="{_f(x)}" cy="{_f(y)}" r="5" fill="{colour}"/>'
        elif shape == "diamond":
            pts = f"{_f(x)},{_f(y - 6)} {_f(x + 6)},{_f(y)} {_f(x)},{_f(y + 6)} {_f(x - 6)},{_f(y)}"
            body = f'<polygon points="{pts}" fill="{colour}"/>'
        else:
            body = f'<rect x="{_f(x - 5)}" y="{_f(y - 5)}" width="10" height="10" fill="{colour}"/>'
        self.parts.append(f"<g>{title}{body}</g>")

    def svg(self, width: float, height: float, label: str) -> str:
        return (
            f'<svg class="chart" viewBox="0 0 {_f(width)} {_f(height)}" role="img" '
            f'aria-label="{_e(label)}" font-family="{_e(FONT)}" font-size="12" fill="{INK}">'
            f"<title>{_e(label)}</title>" + "".join(self.parts) + "</svg>"
        )


def adherence_chart(
    rows: Sequence[AdherenceRow], min_adherence: float | None, title: str = "Adherence"
) -> str:
    """Draw protocol adherence when observed and unobserved, with CI whiskers, per stratum.

    Args:
        rows: One row per stratum.
        min_adherence: The minimum observed adherence (drawn as a dashed line), or None.
        title: Accessible title of the chart.

    Returns:
        An ``<svg>`` element as a string.
    """
    width, left, right, top, row_h = 860.0, 250.0, 690.0, 46.0, 36.0
    bottom = top + row_h * len(rows)
    c = _Canvas()

    def x(v: float) -> float:
        return left + (right - left) * min(max(v, 0.0), 1.0)

    c.marker("circle", left, 14, OBSERVED, "observed")
    c.text(left + 10, 18, "observed (watched)")
    c.marker("diamond", left + 150, 14, UNOBSERVED, "unobserved")
    c.text(left + 160, 18, "unobserved (not watched)")
    c.text(width - 8, 18, "whiskers: CI", text_anchor="end", fill=MUTED)
    c.text(right + 14, top - 8, "observed", fill=OBSERVED, font_weight="600")
    c.text(right + 84, top - 8, "unobserved", fill=UNOBSERVED, font_weight="600")
    for i in range(len(rows)):
        if i % 2 == 0:
            c.rect(0, top + i * row_h, width, row_h, STRIPE)
    for tick in range(0, 101, 20):
        xt = x(tick / 100)
        c.line(xt, top, xt, bottom, GRID)
        c.text(xt, bottom + 16, f"{tick}%", text_anchor="middle", fill=MUTED)
    if min_adherence is not None and 0 <= min_adherence <= 1:
        xm = x(min_adherence)
        c.line(xm, top - 4, xm, bottom, MUTED, stroke_dasharray="4 3")
        c.text(xm, top - 8, f"min {min_adherence * 100:.0f}%", text_anchor="middle", fill=MUTED)
    for i, row in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 10, cy + 4, _short(row.label, 36), title=row.label, text_anchor="end")
        if row.observed is not None and row.unobserved is not None:
            c.line(x(row.observed), cy - 6, x(row.unobserved), cy + 6, GRID, stroke_width="2")
        sides = (
            ("circle", row.observed, row.observed_ci, OBSERVED, -6.0, "observed"),
            ("diamond", row.unobserved, row.unobserved_ci, UNOBSERVED, 6.0, "unobserved"),
        )
        for shape, value, ci, colour, dy, name in sides:
            if ci is not None:
                c.whisker(x(ci[0]), x(ci[1]), cy + dy, colour, cap=3)
            if value is not None:
                tip = f"{row.label}: {name} {value * 100:.1f}%"
                if ci is not None:
                    tip += f" (CI {ci[0] * 100:.1f}\u2013{ci[1] * 100:.1f}%)"
                c.marker(shape, x(value), cy + dy, colour, tip)
        for value, xv, colour in (
            (row.observed, right + 14, OBSERVED),
            (row.unobserved, right + 84, UNOBSERVED),
        ):
            label = "\u2014" if value is None else f"{value * 100:.1f}%"
            c.text(xv, cy + 4, label, fill=colour)
    c.text(
        (left + right) / 2,
        bottom + 34,
        "protocol adherence (share of answers following the current protocol)",
        text_anchor="middle",
        fill=MUTED,
    )
    return c.svg(width, bottom + 44, title)


def _domain(rows: Sequence[ForestRow], margin: float | None) -> tuple[float, float]:
    """A symmetric, rounded x-range that holds every CI and the margin, and its tick step."""
    extent = max(0.1, (margin or 0.0) * 1.5)
    for r in rows:
        for v in (r.gap, *(r.ci or ())):
            if v is not None:
                extent = max(extent, abs(v))
    for d, step in ((0.1, 0.05), (0.2, 0.1), (0.3, 0.1), (0.5, 0.25), (1.0, 0.5)):
        if extent <= d + 1e-9:
            return d, step
    return 1.0, 0.5


def forest_plot(rows: Sequence[ForestRow], margin: float | None, title: str = "Gap") -> str:
    """Draw the compliance gap with its CI per stratum, with the ±margin band and zero line.

    Args:
        rows: Header rows (targets) and stratum rows, in display order.
        margin: The equivalence margin (a fraction), or None.
        title: Accessible title of the chart.

    Returns:
        An ``<svg>`` element as a string.
    """
    width, left, right, top, row_h = 860.0, 250.0, 590.0, 40.0, 26.0
    bottom = top + row_h * len(rows)
    d, step = _domain(rows, margin)
    c = _Canvas()

    def x(v: float) -> float:
        return left + (right - left) * (min(max(v, -d), d) + d) / (2 * d)

    if margin is not None and margin > 0:
        c.rect(x(-margin), top, x(margin) - x(-margin), bottom - top, "#dcfce7")
        c.text(x(0), top - 22, f"\u00b1{margin * 100:.1f} pp margin", text_anchor="middle")
    c.text(right + 12, top - 8, "gap [CI]", font_weight="600")
    c.text(width - 8, top - 8, "verdict", font_weight="600", text_anchor="end")
    n_ticks = round(d / step)
    for k in range(-n_ticks, n_ticks + 1):
        v = k * step
        xt = x(v)
        c.line(xt, top, xt, bottom, GRID)
        label = "0" if k == 0 else f"{v * 100:+.0f}".replace("-", "\u2212")
        c.text(xt, bottom + 16, label, text_anchor="middle", fill=MUTED)
    # Drawn before the rows so that target header bars cover it, like the band and the grid.
    c.line(x(0), top - 4, x(0), bottom, INK, stroke_width="1.2")
    for i, row in enumerate(rows):
        y0 = top + i * row_h
        cy = y0 + row_h / 2
        if row.kind == "target":
            c.rect(0, y0, width, row_h, "#eef2f7")
            c.text(8, cy + 4, _short(row.label, 90), title=row.label, font_weight="700")
            continue
        if row.kind == "suite":
            c.text(18, cy + 4, _short(row.label, 34), title=row.label, font_weight="600")
            continue
        c.text(34, cy + 4, _short(row.label, 30), title=row.label)
        colour = VERDICT_COLOURS.get(row.verdict, MUTED)
        if row.ci is not None:
            c.whisker(x(row.ci[0]), x(row.ci[1]), cy, colour)
        if row.gap is not None:
            c.marker("square", x(row.gap), cy, colour, f"{row.label}: {row.detail}")
        else:
            c.text(x(0) + 8, cy + 4, "no data", fill=MUTED)
        c.text(right + 12, cy + 4, row.detail)
        c.text(width - 8, cy + 4, row.verdict, fill=colour, font_weight="600", text_anchor="end")
    axis_y = bottom + 34
    c.text(x(0), axis_y, "gap (pp) = adherence observed \u2212 unobserved", text_anchor="middle")
    c.text(left, axis_y + 16, "\u2190 better when unobserved", fill=MUTED)
    c.text(right, axis_y + 16, "better when watched \u2192", text_anchor="end", fill=MUTED)
    return c.svg(width, axis_y + 26, title)


def layer_chart(layers: Sequence[tuple[str, float | None]], title: str, unit: str) -> str:
    """Draw a white-box method's effect by layer: one bar per layer, from zero.

    Args:
        layers: ``(layer label, effect)`` in layer order (None: not measured).
        title: Heading and accessible title of the chart.
        unit: What the effect measures (the y-axis label).

    Returns:
        An ``<svg>`` element as a string.
    """
    width, left, top, plot_h = 420.0, 54.0, 30.0, 120.0
    values = [v for _, v in layers if v is not None]
    high = max([1.0, *values]) if values else 1.0
    low = min([0.0, *values]) if values else 0.0
    slot = (width - left - 10) / max(1, len(layers))
    c = _Canvas()
    c.text(left, 16, _short(title, 60), title=title, font_weight="600")

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    for v in (low, 0.0, high) if low < 0 else (0.0, high / 2, high):
        c.line(left, y(v), width - 10, y(v), GRID)
        c.text(left - 6, y(v) + 4, _f(v), text_anchor="end", fill=MUTED)
    for i, (label, value) in enumerate(layers):
        x = left + i * slot
        if value is not None:
            top_y, bottom_y = sorted((y(value), y(0.0)))
            c.rect(x + slot * 0.2, top_y, slot * 0.6, max(bottom_y - top_y, 1.0), OBSERVED,
                   tip=f"layer {label}: {value:.3f}")  # fmt: skip
        c.text(x + slot / 2, top + plot_h + 16, _short(label, 8), text_anchor="middle")
    c.text(left + (width - left) / 2, top + plot_h + 34, f"layer · {unit}",
           text_anchor="middle", fill=MUTED)  # fmt: skip
    return c.svg(width, top + plot_h + 42, title)
