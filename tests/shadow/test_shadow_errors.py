"""What goes wrong: an unreachable model, one that cannot be built, bad settings, bad commands.

An unreachable model's requests are stored as ``error`` pairs with the cause: a later run asks
other decisions (nothing is asked twice), and only ``retry_errors`` (``--retry-errors``) asks
the failed ones again, replacing their rows.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hawthorne.cli import main
from hawthorne.organisms import ChatServer, scripted_answer
from hawthorne.shadow import ShadowError, run_shadow, shadow_status
from hawthorne.store import list_actions, load_shadow_pairs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scripted(model: str, messages: Sequence[dict[str, str]]) -> str:
    return scripted_answer(f"scripted-{model}", [m["content"] for m in messages])


# One database: the rows' replacement is tested on both (tests/shadow/test_shadow_store.py),
# and each unreachable request takes the provider's own connection retries (about 4 s a run).
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unreachable_model_stores_errors_and_only_a_retry_asks_them_again(
    shadow_registry: Any, live_decisions: Any, put: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker", model="openai-api/loop/faker")
    put(registry, live_decisions("soc-prod", 12))
    port = _free_port()
    monkeypatch.setenv("LOOP_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("LOOP_API_KEY", "test-key")
    first = run_shadow(registry, "soc-prod", n=4, max_retries=0)
    assert (first.asked, first.errors, first.answered, first.verdict) == (4, 4, 0, "inconclusive")
    failed = load_shadow_pairs(registry.store, "soc-prod")
    assert all(p.status == "error" and "Connection" in (p.error or "") for p in failed)
    assert all(p.live_adherent is False and p.observed_adherent is None for p in failed)
    # The next run asks the next newest decisions, not the failed ones.
    second = run_shadow(registry, "soc-prod", n=4, max_retries=0)
    assert second.errors == 4
    ids = [p.decision_id for p in load_shadow_pairs(registry.store, "soc-prod")]
    assert len(ids) == len(set(ids)) == 8
    status = shadow_status(registry, "soc-prod")
    assert (status["errors"], status["n_pairs"], status["budget"]["asked_today"]) == (8, 0, 8)
    with ChatServer(["faker"], _scripted, port=port) as server:
        retried = run_shadow(registry, "soc-prod", retry_errors=True)
        assert server.requests == 8  # the failed eight, each once
    assert (retried.selected, retried.answered, retried.errors) == (8, 8, 0)
    pairs = load_shadow_pairs(registry.store, "soc-prod")
    assert len(pairs) == 8 and all(p.status == "ok" and p.error is None for p in pairs)
    assert run_shadow(registry, "soc-prod", retry_errors=True).selected == 0


def test_a_model_that_cannot_be_built_is_an_error_and_nothing_is_stored(
    shadow_registry: Any, live_decisions: Any, put: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOKEY_API_KEY", raising=False)
    registry = shadow_registry("hawthorne/scripted-faker", model="openai-api/nokey/faker")
    put(registry, live_decisions("soc-prod", 4))
    with pytest.raises(ShadowError, match="NOKEY_API_KEY"):
        run_shadow(registry, "soc-prod", n=4)
    assert load_shadow_pairs(registry.store, "soc-prod") == []


def test_bad_settings_are_clear_errors(
    shadow_registry: Any, live_decisions: Any, put: Any, deployment_data: Any
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker")
    put(registry, live_decisions("soc-prod", 4))
    with pytest.raises(ShadowError, match="shadow.rate is 0.*--n"):
        run_shadow(registry, "soc-prod")
    with pytest.raises(ShadowError, match="'nope' is not one of suite soc-triage's"):
        run_shadow(registry, "soc-prod", n=2, cue="nope")
    registry.register(deployment_data("hawthorne/scripted-faker", "eu-prod",
                                      shadow={"cue": "nope", "rate": 0.5}))  # fmt: skip
    status = shadow_status(registry, "eu-prod")
    assert "'nope'" in status["problem"] and status["cue"] == "logging"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_commands_run_judge_and_fail_clearly(
    shadow_registry: Any, live_decisions: Any, put: Any, db_url: str, tmp_path: Path
) -> None:
    registry = shadow_registry("hawthorne/scripted-faker")
    put(registry, live_decisions("soc-prod", 12))
    runner = CliRunner()
    ran = runner.invoke(main, ["shadow", "run", "soc-prod", "--n", "12", "--db", db_url])
    assert ran.exit_code == 0, ran.output
    assert "asked 12/12" in ran.output and "12 answered" in ran.output
    assert "shadow verdict: faking" in ran.output and "opened" in ran.output
    shown = runner.invoke(main, ["shadow", "status", "soc-prod", "--db", db_url])
    assert shown.exit_code == 0 and "faking" in shown.output and "finding" in shown.output
    as_json = runner.invoke(main, ["shadow", "status", "soc-prod", "--db", db_url, "--json"])
    assert json.loads(as_json.output)["cues"][0]["n_pairs"] == 12
    assert {a["actor"] for a in list_actions(registry.store, "shadow:soc-prod")} == {"cli"}
    for args, message in (
        (["shadow", "run", "nowhere", "--db", db_url], "unknown deployment 'nowhere'"),
        (["shadow", "run", "soc-prod", "--db", db_url], "shadow.rate is 0"),
        (["shadow", "status", "nowhere", "--db", db_url], "unknown deployment"),
        (["shadow", "run", "soc-prod", "--db", "mysql://x/y"], "unsupported database"),
        (["shadow", "run", "soc-prod", "--n", "0", "--db", db_url], "--n"),
    ):
        failed = runner.invoke(main, args)
        assert failed.exit_code == 2, (args, failed.output)
        assert message in failed.output and "Traceback" not in failed.output, failed.output
