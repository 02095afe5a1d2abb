"""The self-contained HTML report: verdict badges, inline SVG charts, flipped pairs side by side.

Answers come from the models under audit and are untrusted: the Jinja environment autoescapes
everything, the only unescaped inserts are the stylesheet constant and SVG built by
:mod:`hawthorne.report._svg` (which escapes its labels), and a Content-Security-Policy forbids
scripts and any network load even if something slipped through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from hawthorne.report._format import (
    CONSISTENCY_NOTE,
    DASH,
    HOW_TO_READ,
    REASONING_NOTE,
    SIDE_EFFECT_NOTE,
    SIGNAL_TITLES,
    STRESSOR_NOTE,
    VERDICT_MEANINGS,
    WHITEBOX_NOTE,
    adjusted_p,
    consistency_rows,
    count,
    fmt_ci_pp,
    fmt_p,
    fmt_pct,
    fmt_pp,
    group_flips,
    num,
    oracle_text,
    pair,
    pairs_text,
    rate_cells,
    reasoning_blocks,
    results_of,
    settings_items,
    side_effect_row,
    stressor_rows,
    sub,
    targets_of,
    text,
    truncate,
    unread_text,
    verdict_counts,
    whitebox_rows,
    whitebox_status,
)
from hawthorne.report._html_template import CSS, TEMPLATE
from hawthorne.report._schema import Summary
from hawthorne.report._svg import (
    AdherenceRow,
    ForestRow,
    adherence_chart,
    forest_plot,
    layer_chart,
)

MAX_FLIPS_PER_STRATUM = 10
"""Flipped pairs shown per stratum."""

ANSWER_CHARS = 4000
"""Answers longer than this are cut (the Inspect logs keep them whole)."""

CASE_CHARS = 1500
"""Case texts longer than this are cut."""


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.from_string(TEMPLATE)


def render_html(summary: Summary, flips: Sequence[Mapping[str, Any]]) -> str:
    """Render the audit as one self-contained HTML page.

    The page holds verdict badges per target, a forest plot of the gap per target, suite and
    cue family (CI, ±margin band, zero line), per target an adherence chart (observed vs
    unobserved with CI whiskers), a results table and, where suites cross stressors with the
    cues, a table of the gap by stressor, and up to ten flipped pairs per stratum
    with the two answers side by side. CSS and SVG are inline; there are no scripts and no
    external references, and all text from the summary and the answers is HTML-escaped.

    Args:
        summary: The summary (``hawthorne.summary/1``).
        flips: Flipped pairs (the two answers of a pair differ in adherence).

    Returns:
        The HTML document.
    """
    settings = sub(summary, "settings")
    results = results_of(summary)
    targets = [_target(t, results, settings) for t in targets_of(summary)]
    return _template().render(
        css=Markup(CSS),
        created=text(summary, "created", DASH),
        version=text(summary, "hawthorne_version", DASH),
        headline=_headline(targets),
        warnings=[str(w) for w in summary.get("warnings") or []],
        settings=settings_items(summary),
        targets=targets,
        forest_svg=Markup(_forest(summary, results, settings)),
        how_to_read=HOW_TO_READ,
        stressor_note=STRESSOR_NOTE,
        side_effect_note=SIDE_EFFECT_NOTE,
        reasoning_note=REASONING_NOTE,
        consistency_note=CONSISTENCY_NOTE,
        whitebox_note=WHITEBOX_NOTE,
        signal_titles=SIGNAL_TITLES,
        meanings=list(VERDICT_MEANINGS.items()),
        flip_groups=_flip_groups(results, flips),
        max_flips=MAX_FLIPS_PER_STRATUM,
    )


def _headline(targets: Sequence[Mapping[str, Any]]) -> str:
    if not targets:
        return "No targets were audited."
    counts = verdict_counts({"verdict": t["verdict"]} for t in targets)
    parts = [f"{n} {v}" for v, n in counts.items() if n]
    noun = "target" if len(targets) == 1 else "targets"
    return f"{len(targets)} {noun} audited: {', '.join(parts)}."


def _target(
    entry: Mapping[str, Any], results: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> dict[str, Any]:
    name = text(entry, "target")
    mine = [r for r in results if text(r, "target") == name]
    counts = verdict_counts(mine)
    mix = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    calls = []
    if "n_calls" in entry:
        calls.append(f"{entry['n_calls']} model calls")
    if "n_invalid" in entry:
        calls.append(f"{entry['n_invalid']} invalid answers")
    if entry.get("n_refused"):
        calls.append(f"{entry['n_refused']} refused")
    judged = oracle_text(entry)
    if judged:
        calls.append(judged)
    rows = [_row(r) for r in mine]
    svg = ""
    if mine:
        chart_rows = [_adherence_row(r) for r in mine]
        svg = adherence_chart(
            chart_rows, num(settings.get("min_adherence")), f"Adherence by condition: {name}"
        )
    return {
        "name": name,
        "verdict": text(entry, "verdict"),
        "mix": f"strata: {mix}" if mix else "no results",
        "calls": ", ".join(calls),
        "rows": rows,
        "has_neutral": any(row["neutral"] for row in rows),
        "adherence_svg": Markup(svg),
        "stressors": [_stressor_row(r, s) for r in mine for s in stressor_rows(r)],
        "side_effects": [row for row in map(side_effect_row, mine) if row is not None],
        "reasoning": reasoning_blocks(entry),
        "consistency": consistency_rows(entry),
        "whitebox": [
            {**r, "chart": Markup(_layer_chart(name, r)) if r["layers"] else ""}
            for r in whitebox_rows(sub(entry, "whitebox"))
        ],
        "whitebox_status": whitebox_status(sub(entry, "whitebox")),
    }


def _layer_chart(name: str, row: Mapping[str, Any]) -> str:
    return layer_chart(row["layers"], f"{name}: {row['method']} by layer", row["unit"])


def _stressor_row(r: Mapping[str, Any], s: Mapping[str, Any]) -> dict[str, str]:
    return {
        "suite": text(r, "suite"),
        "cue": text(r, "cue_family"),
        "stressor": text(s, "stressor"),
        **rate_cells(s, sub(s, "adherence")),
    }


def _row(r: Mapping[str, Any]) -> dict[str, str]:
    adherence = sub(r, "adherence")
    n_control = count(r.get("n_control"))
    return {
        "suite": text(r, "suite"),
        "cue": text(r, "cue_family"),
        "observed": fmt_pct(adherence.get("observed")),
        "unobserved": fmt_pct(adherence.get("unobserved")),
        "gap": fmt_pp(r.get("gap")),
        "gap_ci": fmt_ci_pp(r.get("ci")),
        "p": fmt_p(adjusted_p(r)),
        "pairs": pairs_text(r),
        "control": DASH
        if n_control is None
        else f"{count(r.get('control_flips')) or 0}/{n_control}",
        "invalid": unread_text(r),
        "stopped": text(r, "stopped", DASH),
        "verdict": text(r, "verdict"),
        "neutral": _neutral_cell(sub(r, "neutral")),
    }


def _neutral_cell(neutral: Mapping[str, Any]) -> str:
    if not neutral:
        return ""
    return f"{fmt_pct(neutral.get('adherence'))}; moved by {text(neutral, 'moved_by', DASH)}"


def _adherence_row(r: Mapping[str, Any]) -> AdherenceRow:
    adherence, ci = sub(r, "adherence"), sub(r, "adherence_ci")
    return AdherenceRow(
        label=f"{text(r, 'suite')} \u00b7 {text(r, 'cue_family')}",
        observed=num(adherence.get("observed")),
        observed_ci=pair(ci.get("observed")),
        unobserved=num(adherence.get("unobserved")),
        unobserved_ci=pair(ci.get("unobserved")),
    )


def _forest(
    summary: Mapping[str, Any], results: Sequence[Mapping[str, Any]], settings: Mapping[str, Any]
) -> str:
    rows: list[ForestRow] = []
    for t in targets_of(summary):
        name = text(t, "target")
        mine = [r for r in results if text(r, "target") == name]
        if not mine:
            continue
        rows.append(ForestRow(label=f"{name} \u2014 {text(t, 'verdict')}", kind="target"))
        suite = None
        for r in mine:
            if text(r, "suite") != suite:
                suite = text(r, "suite")
                rows.append(ForestRow(label=suite, kind="suite"))
            rows.append(
                ForestRow(
                    label=text(r, "cue_family"),
                    gap=num(r.get("gap")),
                    ci=pair(r.get("ci")),
                    verdict=text(r, "verdict"),
                    detail=f"{fmt_pp(r.get('gap'))} {fmt_ci_pp(r.get('ci'))}",
                )
            )
    if not rows:
        return '<p class="muted">No results.</p>'
    return forest_plot(
        rows, num(settings.get("margin")), "Compliance gap with confidence intervals"
    )


def _flip_groups(
    results: Sequence[Mapping[str, Any]], flips: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    groups = []
    for (target, suite, cue), items in group_flips(results, flips):
        shown = [_flip(f) for f in items[:MAX_FLIPS_PER_STRATUM]]
        groups.append(
            {"target": target, "suite": suite, "cue": cue, "shown": shown, "total": len(items)}
        )
    return groups


def _flip(flip: Mapping[str, Any]) -> dict[str, Any]:
    sides = []
    for name in ("observed", "unobserved"):
        side = sub(flip, name)
        sides.append(
            {
                "name": name,
                "cue": text(side, "cue", ""),
                "decision": text(side, "decision", "none"),
                "outcome": text(side, "outcome"),
                "answer": truncate(side.get("answer"), ANSWER_CHARS),
                "actions": [str(a) for a in side.get("actions") or []],
            }
        )
    return {
        "case_id": text(flip, "case_id"),
        "paraphrase": text(flip, "paraphrase"),
        "epoch": text(flip, "epoch"),
        "control": flip.get("discriminating") is False,
        "stressor": text(flip, "stressor", ""),
        "case_text": truncate(flip.get("case_text"), CASE_CHARS).strip(),
        "sides": sides,
    }
