"""JUnit XML, so CI systems show each stratum as a test: faking fails, inconclusive is skipped."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from hawthorne.report._format import (
    adjusted_p,
    fmt_ci_pct,
    fmt_ci_pp,
    fmt_p,
    fmt_pct,
    fmt_pp,
    results_of,
    sub,
    targets_of,
    text,
    unread_text,
)
from hawthorne.report._schema import Summary

# XML 1.0 cannot carry these characters at all, escaped or not.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: object) -> str:
    return _XML_INVALID.sub("\ufffd", str(value))


def render_junit(summary: Summary) -> str:
    """Render the audit as JUnit XML.

    One ``<testsuite>`` per target and one ``<testcase>`` per result, with classname
    ``hawthorne.<target>.<suite>`` and the cue family as name. ``faking`` becomes a
    ``<failure type="faking">`` whose message gives the gap, its CI and the p-value;
    ``noncompliant`` a ``<failure type="noncompliant">``; ``inconclusive`` a ``<skipped>``;
    ``consistent`` passes. Each testcase carries its statistics (in the failure body or in
    ``<system-out>``); each testsuite carries the target's verdict and the audit settings as
    properties.

    Args:
        summary: The summary (``hawthorne.summary/1``).

    Returns:
        The XML document, with declaration, as a string.
    """
    results = results_of(summary)
    root = ET.Element("testsuites", name="hawthorne")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for t in targets_of(summary):
        name = text(t, "target")
        mine = [r for r in results if text(r, "target") == name]
        suite_el = ET.SubElement(root, "testsuite", name=_clean(name))
        counts = {"tests": len(mine), "failures": 0, "skipped": 0}
        props = ET.SubElement(suite_el, "properties")
        _prop(props, "verdict", text(t, "verdict"))
        for key in ("n_calls", "n_invalid"):
            if key in t:
                _prop(props, key, str(t[key]))
        for key, value in sub(summary, "settings").items():
            _prop(
                props,
                f"settings.{key}",
                json.dumps(value, default=str) if not isinstance(value, str) else value,
            )
        for r in mine:
            outcome = _testcase(suite_el, r, summary)
            if outcome:
                counts[outcome] += 1
        _set_counts(suite_el, counts)
        suite_el.set("timestamp", _clean(text(summary, "created", "")))
        for k in totals:
            totals[k] += counts[k]
    _set_counts(root, totals)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _prop(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "property", name=_clean(name), value=_clean(value))


def _set_counts(el: ET.Element, counts: Mapping[str, int]) -> None:
    for k, v in counts.items():
        el.set(k, str(v))
    el.set("errors", "0")
    el.set("time", "0")


def _testcase(parent: ET.Element, r: Mapping[str, Any], summary: Mapping[str, Any]) -> str | None:
    """Add one result's testcase; returns ``failures``/``skipped`` or None when it passes."""
    classname = f"hawthorne.{text(r, 'target')}.{text(r, 'suite')}"
    case = ET.SubElement(
        parent, "testcase", classname=_clean(classname), name=_clean(text(r, "cue_family"))
    )
    case.set("time", "0")
    verdict = text(r, "verdict")
    stats = _stats(r)
    outcome: str | None = None
    if verdict == "faking":
        el = ET.SubElement(case, "failure", type="faking")
        el.set("message", _clean(f"alignment faking: {stats}"))
        el.text = _clean(_details(r))
        outcome = "failures"
    elif verdict == "noncompliant":
        adherence = sub(r, "adherence")
        min_adh = sub(summary, "settings").get("min_adherence")
        message = (
            f"noncompliant: adherence when observed {fmt_pct(adherence.get('observed'))} "
            f"(min {fmt_pct(min_adh)}); {stats}"
        )
        el = ET.SubElement(case, "failure", type="noncompliant")
        el.set("message", _clean(message))
        el.text = _clean(_details(r))
        outcome = "failures"
    elif text(sub(r, "side_effects"), "verdict", "") == "faking":
        side = sub(r, "side_effects")
        message = (
            f"hidden side effects when unobserved: rate {fmt_pct(side.get('observed'))} observed, "
            f"{fmt_pct(side.get('unobserved'))} unobserved, p (Holm) {fmt_p(adjusted_p(side))}"
        )
        el = ET.SubElement(case, "failure", type="side-effects")
        el.set("message", _clean(message))
        el.text = _clean(_details(r))
        outcome = "failures"
    elif verdict == "inconclusive":
        stopped = text(r, "stopped", "unknown")
        el = ET.SubElement(case, "skipped")
        el.set("message", _clean(f"inconclusive (stopped: {stopped}): {stats}"))
        outcome = "skipped"
    if outcome != "failures":  # a failure already carries the details in its body
        ET.SubElement(case, "system-out").text = _clean(_details(r))
    return outcome


def _stats(r: Mapping[str, Any]) -> str:
    return (
        f"gap {fmt_pp(r.get('gap'))}, CI {fmt_ci_pp(r.get('ci'))}, "
        f"p (Holm) {fmt_p(adjusted_p(r))}, {r.get('n_pairs', '?')} pairs"
    )


def _details(r: Mapping[str, Any]) -> str:
    adherence, adherence_ci = sub(r, "adherence"), sub(r, "adherence_ci")
    lines = [
        f"verdict: {text(r, 'verdict')}",
        f"adherence observed: {fmt_pct(adherence.get('observed'))} "
        f"{fmt_ci_pct(adherence_ci.get('observed'))}",
        f"adherence unobserved: {fmt_pct(adherence.get('unobserved'))} "
        f"{fmt_ci_pct(adherence_ci.get('unobserved'))}",
        f"gap: {fmt_pp(r.get('gap'))} CI {fmt_ci_pp(r.get('ci'))}",
        f"p: {fmt_p(r.get('p_value'))}, Holm-adjusted {fmt_p(adjusted_p(r))}, "
        f"McNemar {fmt_p(r.get('mcnemar_p'))}",
        f"discordant pairs: b={r.get('b', '?')} c={r.get('c', '?')} "
        f"of {r.get('n_pairs', '?')} pairs",
        f"control pairs: {r.get('control_flips', '?')} of {r.get('n_control', '?')} flipped",
        f"invalid answers (observed/unobserved): {unread_text(r)}",
        f"method: {text(r, 'method')}, stopped: {text(r, 'stopped')}",
    ]
    return "\n".join(lines)
