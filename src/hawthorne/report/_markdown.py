"""The Markdown report: readable raw in a terminal or CI log, and rendered on a forge."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from hawthorne.report._format import (
    CONSISTENCY_NOTE,
    DASH,
    HOW_TO_READ,
    READERS,
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
    fmt_frac,
    fmt_p,
    fmt_pct,
    fmt_pp,
    group_flips,
    oracle_text,
    pairs_text,
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
from hawthorne.report._schema import Summary

MAX_FLIPS_PER_STRATUM = 10
"""Flipped pairs listed per stratum; the rest are counted."""

ANSWER_CHARS = 160
"""Answers are cut to this many characters (on one line) in the Markdown report."""

CASE_CHARS = 100
"""Case texts are cut to this many characters (on one line) in the Markdown report."""

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the characters that can
# start emphasis, links, code, raw HTML or break a table cell.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#!~])")


def md_escape(value: object) -> str:
    """Escape text (possibly from an untrusted model) for a Markdown table cell, on one line.

    Args:
        value: Any value; rendered with ``str``.

    Returns:
        The text with whitespace collapsed and Markdown/HTML punctuation backslash-escaped, so
        it can neither inject HTML nor break the table.
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def render_markdown(summary: Summary, flips: Sequence[Mapping[str, Any]]) -> str:
    """Render the audit as a Markdown report.

    Args:
        summary: The summary (``hawthorne.summary/1``).
        flips: Flipped pairs (the two answers of a pair differ in adherence).

    Returns:
        The report: title, settings, per-target verdicts, per-stratum statistics, how to read
        it, and up to ten flipped pairs per stratum with truncated answers.
    """
    out: list[str] = ["# Hawthorne audit report", ""]
    meta = [f"Created {md_escape(text(summary, 'created', DASH))}"]
    meta.append(f"Hawthorne {md_escape(text(summary, 'hawthorne_version', DASH))}")
    out += [" \u00b7 ".join(meta), ""]
    settings = settings_items(summary)
    if settings:
        line = " \u00b7 ".join(f"{k} {md_escape(v)}" for k, v in settings)
        out += [f"**Settings:** {line}", ""]
    for warning in summary.get("warnings") or []:
        out += [f"> **Warning:** {md_escape(str(warning))}", ""]
    out += _targets_table(summary)
    out += _results_table(summary)
    out += _side_effect_table(summary)
    out += _stressor_table(summary)
    out += _neutral_table(summary)
    out += _reasoning_section(summary)
    out += _whitebox_section(summary)
    meanings = " ".join(f"**{v}**: {m}" for v, m in VERDICT_MEANINGS.items())
    out += ["## How to read this", "", f"{HOW_TO_READ} {meanings}", ""]
    out += _flips_section(summary, flips)
    return "\n".join(out).rstrip() + "\n"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], align: str, rows: Sequence[Sequence[str]]) -> list[str]:
    seps = ["---:" if a == "r" else "---" for a in align]
    return [_row(header), _row(seps), *(_row(r) for r in rows), ""]


def _verdict(value: str) -> str:
    return f"**{md_escape(value)}**" if value in ("faking", "noncompliant") else md_escape(value)


def _targets_table(summary: Mapping[str, Any]) -> list[str]:
    results = results_of(summary)
    rows = []
    for t in targets_of(summary):
        name = text(t, "target")
        counts = verdict_counts(r for r in results if text(r, "target") == name)
        mix = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or DASH
        rows.append(
            [
                md_escape(name),
                _verdict(text(t, "verdict")),
                md_escape(mix),
                md_escape(t.get("n_calls", DASH)),
                md_escape(t.get("n_invalid", DASH))
                + (f" (+{md_escape(t['n_refused'])} refused)" if t.get("n_refused") else ""),
            ]
        )
    header = ["Target", "Verdict", "Strata", "Model calls", "Invalid answers"]
    lines = ["## Verdicts by target", "", *_table(header, "lllrr", rows)]
    judged = [(text(t, "target"), oracle_text(t)) for t in targets_of(summary)]
    if any(line for _, line in judged):
        lines += ["", *(f"- {md_escape(n)}: {md_escape(line)}." for n, line in judged if line)]
    return lines


def _reasoning_section(summary: Mapping[str, Any]) -> list[str]:
    """Trace-detector rates per target × condition and reader, and the strongest excerpts."""
    out: list[str] = []
    for reader in READERS.values():
        rows, quotes, failed = [], [], []
        for t in targets_of(summary):
            name = md_escape(text(t, "target"))
            for block in reasoning_blocks(t):
                if block["reader"] != reader:
                    continue
                if block["status"]:
                    failed.append(f"- {name} ({md_escape(block['title'])}): "
                                  f"{md_escape(block['status'])}")  # fmt: skip
                title = md_escape(block["title"])
                for r in block["rows"]:
                    cells = (md_escape(r[s]) for s in SIGNAL_TITLES)
                    rows.append([name, title, md_escape(r["condition"]), r["traces"], *cells])
                quotes += [
                    f"- {name}, {md_escape(e['condition'])}, {md_escape(e['signal'])} "
                    f"({e['score']}): “{md_escape(e['excerpt'])}”"
                    for e in block["excerpts"]
                ]
        if not rows and not failed:
            continue
        if not out:
            out = ["## Reasoning evidence", "", REASONING_NOTE, ""]
        header = ["Target", "Read by", "Condition", "Traces",
                  *(f"{v}: flagged → corrected [CI]" for v in SIGNAL_TITLES.values())]  # fmt: skip
        if rows:
            out += _table(header, "llllrrr", rows)
        if failed:
            out += [*failed, ""]
        if quotes:
            out += [f"Strongest excerpts ({reader}):", "", *quotes, ""]
    return out + _consistency_section(summary)


def _consistency_section(summary: Mapping[str, Any]) -> list[str]:
    """Reasoning–action contradictions per target × condition, with examples."""
    rows = [
        [md_escape(text(t, "target")), md_escape(r["condition"]), r["checked"],
         r["contradicted"], md_escape(r["rate"]), md_escape(r["examples"])]
        for t in targets_of(summary)
        for r in consistency_rows(t)
    ]  # fmt: skip
    if not rows:
        return []
    header = ["Target", "Condition", "Checkable", "Contradicted", "Rate [CI]", "Examples"]
    return ["## Reasoning against action", "", CONSISTENCY_NOTE, "",
            *_table(header, "llrrrl", rows)]  # fmt: skip


_WHITEBOX_HEADER = ("Method", "Status", "Score", "Best", "Effect by layer", "Prompts")
_WHITEBOX_COLUMNS = ("method", "status", "score", "best", "by_layer", "prompts")


def _whitebox_cells(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """White-box rows (:func:`whitebox_rows`) as escaped table cells."""
    return [[md_escape(r[k]) for k in _WHITEBOX_COLUMNS] for r in rows]


def _whitebox_meanings(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The line under a white-box table: what each method's score means, once per method."""
    said = dict.fromkeys(f"{r['method']}: {r['meaning']}" for r in rows if r["meaning"] != DASH)
    return [f"Score: {md_escape('; '.join(said))}", ""] if said else []


def _whitebox_section(summary: Mapping[str, Any]) -> list[str]:
    """White-box findings per open-weight target: score, where it peaked, effect by layer."""
    rows, skipped, shown = [], [], []
    for t in targets_of(summary):
        name, found = md_escape(text(t, "target")), sub(t, "whitebox")
        if whitebox_status(found):
            skipped.append(f"- {name}: {md_escape(whitebox_status(found))}")
        mine = whitebox_rows(found)
        shown += mine
        rows += [[name, *cells] for cells in _whitebox_cells(mine)]
    if not rows and not skipped:
        return []
    out = ["## White-box evidence", "", WHITEBOX_NOTE, ""]
    if rows:
        out += [*_table(["Target", *_WHITEBOX_HEADER], "lllrllr", rows), *_whitebox_meanings(shown)]
    if skipped:
        out += [*skipped, ""]
    return out


def render_whitebox(findings: Mapping[str, Any]) -> str:
    """Render one white-box audit (``whitebox/<target>.md``): a row per method, then its layers.

    Args:
        findings: One target's white-box findings, as ``whitebox/<target>.json`` holds them
            (or as :func:`hawthorne.detectors.whitebox_audit` returns them).

    Returns:
        Markdown: what was audited, one table row per method and a line of what each score
        means, then an effect-by-layer table per method that ran (bars scaled to the largest
        effect, or to 1 where every effect is below it).
    """
    model = text(findings, "model", text(findings, "target"))
    out = [f"# White-box audit of {md_escape(model)}", ""]
    if whitebox_status(findings):
        return "\n".join([*out, md_escape(whitebox_status(findings))]) + "\n"
    settings = sub(findings, "settings")
    suites = ", ".join(str(s) for s in findings.get("suites") or []) or DASH
    mode = "Poser mode (observed prompts only)" if findings.get("poser") else "all prompts"
    cases = f"{text(settings, 'cases')} discriminating and {text(settings, 'control_cases')}"
    out += [md_escape(f"Suites: {suites}; {mode}; {cases} control cases per suite."), ""]
    rows = whitebox_rows(findings)
    out += [*_table(_WHITEBOX_HEADER, "llrllr", _whitebox_cells(rows)), *_whitebox_meanings(rows)]
    for row in rows:
        if not row["layers"]:
            continue
        top = max([1.0, *(v or 0.0 for _, v in row["layers"])])
        bar = "█"  # one block per twentieth of the largest effect
        bars = [
            [md_escape(label), fmt_frac(v), bar * round(20 * max(0.0, v or 0.0) / top)]
            for label, v in row["layers"]
        ]
        out += [f"## {md_escape(row['method'])}: effect by layer ({md_escape(row['unit'])})", ""]
        out += _table(["Layer", "Effect", ""], "lrl", bars)
    return "\n".join(out).rstrip() + "\n"


def _side_effect_table(summary: Mapping[str, Any]) -> list[str]:
    """Side-effect rates by condition and their verdicts, for agentic suites."""
    rows = []
    for r in results_of(summary):
        side = side_effect_row(r)
        if side is None:
            continue
        rows.append(
            [
                *(md_escape(side[k]) for k in ("target", "suite", "cue", "pairs")),
                side["observed"],
                side["unobserved"],
                f"{side['gap']} {side['gap_ci']}",
                side["p"],
                md_escape(side["kinds"]),
                _verdict(side["verdict"]),
            ]
        )
    if not rows:
        return []
    header = [
        "Target",
        "Suite",
        "Cue",
        "Pairs",
        "Side effects observed",
        "Side effects unobserved",
        "Increase unobserved [CI]",
        "p (Holm)",
        "Kinds (obs/unobs)",
        "Verdict",
    ]
    return [
        "## Side effects by condition",
        "",
        SIDE_EFFECT_NOTE,
        "",
        *_table(header, "llllrrrrll", rows),
    ]


def _stressor_table(summary: Mapping[str, Any]) -> list[str]:
    """The gap by stressor condition, for suites that cross stressors with the cues."""
    rows = []
    for r in results_of(summary):
        for s in stressor_rows(r):
            adherence = sub(s, "adherence")
            rows.append(
                [
                    md_escape(text(r, "target")),
                    md_escape(text(r, "suite")),
                    md_escape(text(r, "cue_family")),
                    md_escape(text(s, "stressor")),
                    md_escape(text(s, "n_pairs", DASH)),
                    fmt_pct(adherence.get("observed")),
                    fmt_pct(adherence.get("unobserved")),
                    f"{fmt_pp(s.get('gap'))} {fmt_ci_pp(s.get('ci'))}",
                ]
            )
    if not rows:
        return []
    header = [
        "Target",
        "Suite",
        "Cue",
        "Stressor",
        "Pairs",
        "Adherence observed",
        "Adherence unobserved",
        "Gap [CI]",
    ]
    return ["## Gap by stressor", "", STRESSOR_NOTE, "", *_table(header, "llllrrrr", rows)]


def _neutral_table(summary: Mapping[str, Any]) -> list[str]:
    """Which cue moves the model, for runs that asked a neutral side (``--neutral``)."""
    rows = []
    for r in results_of(summary):
        neutral = sub(r, "neutral")
        if not neutral:
            continue
        obs, unobs = sub(neutral, "observed_shift"), sub(neutral, "unobserved_shift")
        rows.append(
            [
                md_escape(text(r, "target")),
                md_escape(text(r, "suite")),
                md_escape(text(r, "cue_family")),
                fmt_pct(neutral.get("adherence")),
                f"{fmt_pp(obs.get('shift'))} {fmt_ci_pp(obs.get('ci'))}",
                f"{fmt_pp(unobs.get('shift'))} {fmt_ci_pp(unobs.get('ci'))}",
                md_escape(text(neutral, "moved_by", DASH)),
            ]
        )
    if not rows:
        return []
    header = [
        "Target",
        "Suite",
        "Cue",
        "Adherence neutral",
        "Observed − neutral",
        "Neutral − unobserved",
        "Moved by",
    ]
    note = (
        "Each pair was also asked under a neutral cue. A positive *observed − neutral* shift "
        "means the observed cue raises adherence; a positive *neutral − unobserved* shift means "
        "the unobserved cue lowers it (paired differences with Newcombe score intervals; "
        "descriptive)."
    )
    return ["## Which cue moves the model", "", note, "", *_table(header, "llllrrl", rows)]


def _results_table(summary: Mapping[str, Any]) -> list[str]:
    rows = []
    for r in results_of(summary):
        adherence = sub(r, "adherence")
        n_control = count(r.get("n_control"))
        control = DASH if n_control is None else f"{count(r.get('control_flips')) or 0}/{n_control}"
        rows.append(
            [
                md_escape(text(r, "target")),
                md_escape(text(r, "suite")),
                md_escape(text(r, "cue_family")),
                fmt_pct(adherence.get("observed")),
                fmt_pct(adherence.get("unobserved")),
                f"{fmt_pp(r.get('gap'))} {fmt_ci_pp(r.get('ci'))}",
                fmt_p(adjusted_p(r)),
                md_escape(pairs_text(r)),
                control,
                md_escape(unread_text(r)),
                md_escape(text(r, "stopped", DASH)),
                _verdict(text(r, "verdict")),
            ]
        )
    header = [
        "Target",
        "Suite",
        "Cue",
        "Adherence observed",
        "Adherence unobserved",
        "Gap [CI]",
        "p (Holm)",
        "Pairs",
        "Control flips",
        "Invalid (obs/unobs)",
        "Stopped",
        "Verdict",
    ]
    return ["## Results by target, suite and cue", "", *_table(header, "lllrrrrrrrll", rows)]


def _flips_section(summary: Mapping[str, Any], flips: Sequence[Mapping[str, Any]]) -> list[str]:
    groups = group_flips(results_of(summary), flips)
    out = ["## Flipped pairs", ""]
    if not groups:
        return [*out, "No pair changed its behaviour between the observed and unobserved cue.", ""]
    out += [
        "Pairs whose two answers differ: the same case under the observed and the unobserved cue. "
        f"Up to {MAX_FLIPS_PER_STRATUM} per stratum; answers cut to {ANSWER_CHARS} characters; "
        "full answers are in report.html and the Inspect logs.",
        "",
    ]
    for (target, suite, cue), items in groups:
        shown = items[:MAX_FLIPS_PER_STRATUM]
        out += [
            f"### {md_escape(target)} \u00b7 {md_escape(suite)} \u00b7 {md_escape(cue)}",
            "",
            f"{len(shown)} of {len(items)} flipped pairs shown.",
            "",
        ]
        rows = [_flip_row(f) for f in shown]
        header = ["Case", "Observed", "Unobserved", "Observed answer", "Unobserved answer"]
        out += _table(header, "lllll", rows)
    return out


def _flip_row(flip: Mapping[str, Any]) -> list[str]:
    case = (
        f"{md_escape(text(flip, 'case_id'))} "
        f"(p{md_escape(flip.get('paraphrase', '?'))}, e{md_escape(flip.get('epoch', '?'))})"
    )
    if flip.get("stressor"):
        case += f" under {md_escape(text(flip, 'stressor'))}"
    if flip.get("discriminating") is False:
        case += " control"
    case_text = truncate(flip.get("case_text"), CASE_CHARS, one_line=True)
    cells = [f"{case}: {md_escape(case_text)}" if case_text else case]
    sides = [sub(flip, "observed"), sub(flip, "unobserved")]
    for side in sides:
        decision = text(side, "decision", "none")
        cell = f"{md_escape(decision)} ({md_escape(text(side, 'outcome'))})"
        effects = side.get("side_effects")
        if isinstance(effects, list | tuple) and effects:
            cell += f"; side effects: {md_escape(', '.join(str(e) for e in effects))}"
        cells.append(cell)
    for side in sides:
        cells.append(md_escape(truncate(side.get("answer"), ANSWER_CHARS, one_line=True)))
    return cells
