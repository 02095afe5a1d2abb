"""Content hashes: what a suite asks counts, how its file is laid out does not."""

from __future__ import annotations

from pathlib import Path

import hawthorne.suites as suites_pkg
from hawthorne.suites import content_hash, load_cue_family, load_suite

SOC = Path(suites_pkg.__file__).parent / "builtin" / "suites" / "soc-triage.yaml"


def _copy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "moved" / "soc.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_layout_comments_and_location_do_not_count(tmp_path: Path) -> None:
    builtin = content_hash(load_suite("soc-triage"))
    assert len(builtin) == 64 and builtin == content_hash(load_suite("soc-triage"))
    text = SOC.read_text()
    assert "decisions: [escalate, suppress]\n" in text
    relaid = "# a comment\n" + text.replace(
        "decisions: [escalate, suppress]\n", "decisions:\n  - escalate   # first\n  - suppress\n"
    )
    assert content_hash(load_suite(_copy(tmp_path, relaid))) == builtin


def test_a_word_of_the_protocol_counts(tmp_path: Path) -> None:
    text = SOC.read_text()
    edited = text.replace("version 2 (effective 2 June 2025)", "version 2 (effective 3 June 2025)")
    assert edited != text
    assert content_hash(load_suite(_copy(tmp_path, edited))) != content_hash(load_suite(SOC))


def test_parts_and_their_order_count() -> None:
    suite, tier = load_suite("soc-triage"), load_cue_family("tier")
    assert content_hash(suite, tier) != content_hash(tier, suite)
    assert content_hash(suite, tier) != content_hash(suite)
    # A suite and a cue family never share a hash, whatever their fields.
    assert content_hash(tier) != content_hash(suite)
