"""Run fingerprints: a rerun resumes only on the suites, cues, version and settings it started with.

One small audit (a copied soc-triage with a local tier cue file) is run once; each test works on
its own copy of the suite folder and the run folder, from inside its own tmp_path.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import hawthorne.suites as suites_pkg
from hawthorne import __version__
from hawthorne.audit import (
    DEFAULT_MAX_TOKENS,
    AuditConfig,
    AuditError,
    Fingerprint,
    rerender,
    run_audit,
)
from hawthorne.suites import content_hash, load_cue_family, load_suite

BUILTIN = Path(suites_pkg.__file__).parent / "builtin"
SUITE = "suite/soc.yaml"
"""The suite reference, relative to each test's working directory."""


def _config(max_pairs: int = 16) -> AuditConfig:
    return AuditConfig(
        suites=(SUITE,), targets=("hawthorne/scripted-faker",), max_pairs=max_pairs,
        cue_families=["tier"],
    )  # fmt: skip


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``suite/`` (soc-triage, its tier cue family as a local file) and ``run/``."""
    root = tmp_path_factory.mktemp("fingerprint")
    (root / "suite").mkdir()
    text = (BUILTIN / "suites" / "soc-triage.yaml").read_text()
    cues = "cues: [tier, logging, review, eval-format]\n"
    assert cues in text
    (root / SUITE).write_text(text.replace(cues, "cues: [./tier.yaml, logging]\n"))
    shutil.copy(BUILTIN / "cues" / "tier.yaml", root / "suite" / "tier.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        run_audit(_config(), Path("run"), whitebox=())
    return root


@pytest.fixture()
def here(started: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the started run, as the working directory."""
    for name in ("suite", "run"):
        shutil.copytree(started / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _logs(run: Path) -> list[Path]:
    return sorted((run / "logs").glob("*.eval"))


def test_run_json_records_the_fingerprint(here: Path) -> None:
    stored = json.loads((here / "run" / "run.json").read_text())["fingerprint"]
    suite = load_suite(SUITE)
    assert stored == {
        "hawthorne": __version__,
        "suites": {SUITE: content_hash(suite)},
        "cue_families": {"tier": content_hash(load_cue_family("suite/tier.yaml"))},
        "generation": {
            "temperature": 0.0,
            "top_p": None,
            "max_tokens": DEFAULT_MAX_TOKENS,
            "seed": 0,
            "reasoning_effort": None,
            "model_args": {},
            "epochs": 1,
            "neutral": False,
            "positive_control": False,
        },
    }
    assert rerender(Path("run")).warnings == ()


def test_a_layout_only_edit_still_resumes(here: Path) -> None:
    logs = _logs(here / "run")
    (here / SUITE).write_text("# reviewed, no change\n" + (here / SUITE).read_text())
    run_audit(_config(), Path("run"), whitebox=())
    assert _logs(here / "run") == logs


def test_a_suite_edit_is_refused_and_the_report_warns(here: Path) -> None:
    before = (here / "run" / "run.json").read_text()
    old_hash = content_hash(load_suite(SUITE))
    _edit(here / SUITE, "version 2 (effective 2 June", "version 2 (effective 3 June")
    new_hash = content_hash(load_suite(SUITE))
    with pytest.raises(AuditError) as refused:
        run_audit(_config(), Path("run"), whitebox=())
    assert str(refused.value) == (
        "cannot resume run: since this run folder was started, suite suite/soc.yaml changed "
        f"(content hash {old_hash[:12]}… → {new_hash[:12]}…). Resuming would mix answers from "
        "two protocol versions in one paired comparison; start a new run folder with --out "
        "NEW_DIR, or delete run to start this one over"
    )
    assert (here / "run" / "run.json").read_text() == before  # the refused run wrote nothing
    (warning,) = rerender(Path("run")).warnings
    assert warning.startswith("the logs in run do not match the installed suites: since the run")
    assert f"suite suite/soc.yaml changed (content hash {old_hash[:12]}…" in warning
    assert warning.endswith("start a new run folder with --out NEW_DIR")


def test_a_cue_family_edit_names_the_family(here: Path) -> None:
    _edit(here / "suite" / "tier.yaml", "This user is on the free tier.", "This user is free tier.")
    with pytest.raises(AuditError, match="cue family tier changed") as refused:
        run_audit(_config(), Path("run"), whitebox=())
    # The family is part of the suite as resolved, so the suite changed too.
    assert "suite suite/soc.yaml changed" in str(refused.value)


def test_another_hawthorne_version_is_refused(here: Path) -> None:
    path = here / "run" / "run.json"
    data = json.loads(path.read_text())
    data["fingerprint"]["hawthorne"] = "0.0.1"
    path.write_text(json.dumps(data))
    with pytest.raises(AuditError, match=f"Hawthorne changed from 0.0.1 to {__version__}"):
        run_audit(_config(), Path("run"), whitebox=())


def test_a_folder_without_fingerprint_is_refused_and_the_report_warns(here: Path) -> None:
    path = here / "run" / "run.json"
    data = json.loads(path.read_text())
    del data["fingerprint"]
    path.write_text(json.dumps(data))
    with pytest.raises(AuditError) as refused:
        run_audit(_config(), Path("run"), whitebox=())
    assert str(refused.value) == (
        "cannot resume run: its run.json records no fingerprint of the suites (an older "
        "Hawthorne started it), so its answers cannot be checked to come from the suites "
        "installed now; start a new run folder with --out NEW_DIR, or delete run to start this "
        "one over"
    )
    assert rerender(Path("run")).warnings == (
        "run/run.json records no fingerprint (an older Hawthorne started it): the logs cannot "
        "be checked against the installed suites",
    )


def test_other_options_are_named(here: Path) -> None:
    with pytest.raises(AuditError, match="different run .*: max_pairs 16 → 17\\)"):
        run_audit(_config(max_pairs=17), Path("run"), whitebox=())


def test_changes_name_every_field_and_new_settings() -> None:
    old = Fingerprint("0.1.0", {"a": "1" * 64}, {"tier": "2" * 64}, {"seed": 0})
    new = Fingerprint("0.2.0", {"a": "3" * 64}, {"tier": "2" * 64}, {"seed": 1, "temperature": 0.0})
    assert old.changes(old) == []
    assert old.changes(new) == [
        "Hawthorne changed from 0.1.0 to 0.2.0",
        f"suite a changed (content hash {'1' * 12}… → {'3' * 12}…)",
        "generation setting seed changed (0 → 1)",
        "generation setting temperature was not recorded",
    ]
    assert Fingerprint.from_json(new.to_json()) == new
