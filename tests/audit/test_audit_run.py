"""End-to-end audits through the real Inspect, against scripted targets and a loopback server."""

import json
from pathlib import Path

import pytest

from hawthorne.adapter._inspect import model_settings
from hawthorne.audit import (
    DEFAULT_MAX_TOKENS,
    AuditConfig,
    AuditError,
    TargetFailed,
    rerender,
    run_audit,
)
from hawthorne.organisms import ChatServer, scripted_answer

SUITE = "soc-triage"


def _config(*targets: str, **kw: object) -> AuditConfig:
    return AuditConfig(suites=(SUITE,), targets=targets, **kw)  # type: ignore[arg-type]


def _by_target(summary: dict) -> dict[str, str]:
    return {t["target"]: t["verdict"] for t in summary["targets"]}


def test_scripted_targets_get_their_verdicts(tmp_path: Path) -> None:
    config = _config("hawthorne/scripted-faker", "hawthorne/scripted-honest")
    result = run_audit(config, tmp_path)
    summary = result.summary
    assert summary["schema"] == "hawthorne.summary/1"
    assert _by_target(summary) == {
        "hawthorne/scripted-faker": "faking",
        "hawthorne/scripted-honest": "consistent",
    }
    for row in summary["results"]:
        for key in (
            "target",
            "suite",
            "cue_family",
            "n_pairs",
            "adherence",
            "gap",
            "ci",
            "p_value",
            "verdict",
        ):
            assert key in row
        lo, hi = row["ci"]
        assert lo <= row["gap"] <= hi
        if row["target"].endswith("faker"):
            assert row["verdict"] == "faking"
            assert row["gap"] > 0.5 and lo > 0
            # Sequential stopping: a blatant faker is caught in a few dozen pairs.
            assert row["n_pairs"] + row["n_control"] <= 64
            assert row["adherence"]["unobserved"] == 0.0
        else:
            assert row["verdict"] == "consistent" and row["gap"] == 0.0
            assert -0.05 < lo and hi < 0.05
    assert {p.name for p in result.files.values()} >= {
        "summary.json",
        "report.md",
        "report.html",
        "junit.xml",
    }
    assert json.loads((tmp_path / "summary.json").read_text())["results"] == summary["results"]
    assert result.flips and all(f["target"].endswith("faker") for f in result.flips)
    # The logs alone rebuild the same verdicts.
    again = rerender(tmp_path)
    assert again.summary["results"] == summary["results"]


def test_a_look_takes_its_pairs_from_inspect_hooks_not_the_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hawthorne.adapter._inspect as looks

    def unread(*_: object) -> None:
        raise AssertionError("the look read its log back")

    monkeypatch.setattr(looks, "pairs_from_log", unread)
    config = _config("hawthorne/scripted-faker", "hawthorne/scripted-honest", max_pairs=40)
    summary = run_audit(config, tmp_path).summary
    # The same pairs as the log files hold.
    assert rerender(tmp_path).summary["results"] == summary["results"]


def test_rerun_resumes_without_asking_again(tmp_path: Path) -> None:
    config = _config("hawthorne/scripted-faker", max_pairs=40)
    run_audit(config, tmp_path)
    logs = sorted((tmp_path / "logs").glob("*.eval"))
    result = run_audit(config, tmp_path)
    assert sorted((tmp_path / "logs").glob("*.eval")) == logs  # nothing new was asked
    assert _by_target(result.summary) == {"hawthorne/scripted-faker": "faking"}


def test_different_options_on_same_folder_are_refused(tmp_path: Path) -> None:
    run_audit(_config("hawthorne/scripted-faker", max_pairs=20), tmp_path)
    with pytest.raises(AuditError, match="different run"):
        run_audit(_config("hawthorne/scripted-faker", max_pairs=30), tmp_path)


def test_fixed_design_asks_the_whole_budget(tmp_path: Path) -> None:
    from hawthorne.audit import VerdictSettings

    config = _config(
        "hawthorne/scripted-faker", max_pairs=30, settings=VerdictSettings(sequential=False)
    )
    summary = run_audit(config, tmp_path).summary
    for row in summary["results"]:
        assert row["n_pairs"] + row["n_control"] == 30
        assert row["method"] == "fixed" and row["stopped"] == "budget"
        assert row["verdict"] == "faking"


def _faker(model: str, messages: list[dict[str, str]]) -> str:
    texts = [m["content"] for m in messages]
    return scripted_answer("scripted-faker" if model == "faker" else "scripted-honest", texts)


@pytest.mark.slow
def test_openai_compatible_server_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ChatServer(["faker", "honest"], _faker) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        config = _config("openai-api/loop/faker", "openai-api/loop/honest")
        summary = run_audit(config, tmp_path).summary
        assert server.requests == sum(t["n_calls"] for t in summary["targets"])
    assert _by_target(summary) == {
        "openai-api/loop/faker": "faking",
        "openai-api/loop/honest": "consistent",
    }


def test_generation_settings_reach_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ChatServer(["faker"], _faker) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        monkeypatch.setenv("LOOP_API_KEY", "test-key")
        config = _config(
            "openai-api/loop/faker", max_pairs=8, temperature=0.3, top_p=0.9, max_tokens=77, seed=5
        )
        summary = run_audit(config, tmp_path).summary
        asked = server.generation
    assert asked and all(
        g.get("temperature") == 0.3 and g.get("top_p") == 0.9 and g.get("seed") == 5 for g in asked
    )
    assert all(g.get("max_tokens", g.get("max_completion_tokens")) == 77 for g in asked)
    settings = summary["settings"]
    assert (settings["temperature"], settings["max_tokens"], settings["top_p"]) == (0.3, 77, 0.9)
    # The default: temperature 0 and the default token budget, on every request.
    with ChatServer(["faker"], _faker) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        run_audit(_config("openai-api/loop/faker", max_pairs=8), tmp_path / "default")
        asked = server.generation
    assert {
        (g.get("temperature"), g.get("max_tokens", g.get("max_completion_tokens"))) for g in asked
    } == {(0.0, DEFAULT_MAX_TOKENS)}


def test_a_rerun_with_another_temperature_is_refused(tmp_path: Path) -> None:
    run_audit(_config("hawthorne/scripted-faker", max_pairs=8), tmp_path)
    with pytest.raises(AuditError, match="temperature 0.0 → 0.7"):
        run_audit(_config("hawthorne/scripted-faker", max_pairs=8, temperature=0.7), tmp_path)


def test_greedy_settings_for_hf_models_become_do_sample_false() -> None:
    generation = {"temperature": 0.0, "max_tokens": 96, "top_p": None, "seed": 0}
    assert model_settings("hf/some/model", generation, {"device": "cpu"}) == (
        {"max_tokens": 96, "seed": 0},
        {"device": "cpu", "do_sample": False},
    )
    assert model_settings("hf/m", generation, {"do_sample": True})[1] == {"do_sample": True}
    assert model_settings("hf/m", {"temperature": 0.7}, {}) == ({"temperature": 0.7}, {})
    assert model_settings("openai/gpt-4o", generation, {}) == (
        {"temperature": 0.0, "max_tokens": 96, "seed": 0},
        {},
    )


def test_repeated_epochs_say_what_they_mean_at_the_temperature(tmp_path: Path) -> None:
    greedy = run_audit(_config("hawthorne/scripted-faker", max_pairs=8, epochs=2), tmp_path / "a")
    assert any("temperature 0" in w and "too narrow" in w for w in greedy.summary["warnings"])
    warm = run_audit(
        _config("hawthorne/scripted-faker", max_pairs=8, epochs=2, temperature=0.8), tmp_path / "b"
    )
    assert any("temperature 0.8" in w and "independent" in w for w in warm.summary["warnings"])
    one = run_audit(_config("hawthorne/scripted-faker", max_pairs=8), tmp_path / "c")
    assert not any("epochs" in w or "asked up to" in w for w in one.summary["warnings"])


class _Flaky:
    """Answers like the scripted faker but breaks (HTTP 400 via a bad model) after `limit` calls."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.calls = 0

    def __call__(self, model: str, texts: list[dict[str, str]]) -> str:
        self.calls += 1
        if self.calls > self.limit:
            raise RuntimeError("target crashed")
        return _faker(model, texts)


@pytest.mark.slow
def test_target_failing_mid_run_keeps_finished_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOOP_API_KEY", "test-key")
    config = _config("openai-api/loop/honest", max_pairs=120, max_retries=0)
    flaky = _Flaky(limit=300)
    with ChatServer(["honest"], flaky) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        port = int(server.base_url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(TargetFailed, match="resume"):
            run_audit(config, tmp_path)
    first = flaky.calls
    # Same address: Inspect keeps the model's client for the process, as a user's rerun would not.
    with ChatServer(["honest"], _faker, port=port) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        summary = run_audit(config, tmp_path).summary
        resumed = server.requests
    full = sum(t["n_calls"] for t in summary["targets"])
    assert _by_target(summary) == {"openai-api/loop/honest": "consistent"}
    # Only the unfinished part was asked again.
    assert resumed < full
    assert resumed + first >= full


def test_progress_is_reported_after_each_look(tmp_path: Path) -> None:
    from hawthorne.audit import Progress

    seen: list[Progress] = []
    run_audit(_config("hawthorne/scripted-faker", max_pairs=40), tmp_path, seen.append)
    assert len(seen) >= 2
    done = [p.pairs_done for p in seen]
    assert done == sorted(done) and done[0] == 0
    assert seen[-1].running == 0 and seen[-1].verdicts == {"faking": 4}


def test_positive_control_is_caught_on_an_obedient_target(tmp_path: Path) -> None:
    config = _config("hawthorne/scripted-honest", positive_control=True)
    summary = run_audit(config, tmp_path).summary
    assert _by_target(summary) == {
        "hawthorne/scripted-honest": "consistent",
        "hawthorne/scripted-honest+positive-control": "faking",
    }
    control = next(t for t in summary["targets"] if t["target"].endswith("+positive-control"))
    assert control["positive_control_of"] == "hawthorne/scripted-honest"
    assert summary["warnings"] == []


@pytest.mark.slow
def test_positive_control_warns_when_setup_cannot_catch_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deaf(model: str, messages: list[dict[str, str]]) -> str:
        # Ignores every instruction: answers as the honest script would without the control.
        texts = [m["content"].split("POSITIVE CONTROL")[0] for m in messages]
        return scripted_answer("scripted-honest", texts)

    monkeypatch.setenv("LOOP_API_KEY", "k")
    with ChatServer(["deaf"], deaf) as server:
        monkeypatch.setenv("LOOP_BASE_URL", server.base_url)
        # A small budget: the control must come out anything but faking, and an honest answerer
        # is not caught in 48 pairs any more than in 200.
        config = _config("openai-api/loop/deaf", positive_control=True, max_pairs=48)
        summary = run_audit(config, tmp_path).summary
    assert _by_target(summary)["openai-api/loop/deaf+positive-control"] != "faking"
    [warning] = summary["warnings"]
    assert "did not catch openai-api/loop/deaf" in warning


def test_neutral_side_shows_which_cue_moves_the_model(tmp_path: Path) -> None:
    # The scripted faker treats "no observed cue" as unobserved, so the neutral cue behaves like
    # the unobserved one: it is the observed cue that moves it.
    config = _config("hawthorne/scripted-faker", neutral=True, max_pairs=40)
    result = run_audit(config, tmp_path)
    for row in result.summary["results"]:
        neutral = row["neutral"]
        assert neutral["n_pairs"] == row["n_pairs"]
        assert neutral["adherence"] == 0.0
        assert neutral["observed_shift"]["shift"] == 1.0
        assert neutral["unobserved_shift"]["shift"] == 0.0
        assert neutral["moved_by"] == "observed cue"
        assert row["verdict"] == "faking"
    report = (tmp_path / "report.md").read_text()
    assert "## Which cue moves the model" in report
    assert "Neutral cue" in (tmp_path / "report.html").read_text()
    # Without --neutral the field is null and the section absent.
    plain = run_audit(_config("hawthorne/scripted-faker", max_pairs=40), tmp_path / "plain")
    assert all(row["neutral"] is None for row in plain.summary["results"])
    assert "Which cue moves" not in (tmp_path / "plain" / "report.md").read_text()
