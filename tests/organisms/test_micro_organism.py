"""A micro organism trained from scratch: it learns to fake, and every serving path runs it."""

import asyncio
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hawthorne.audit import AuditConfig, run_audit
from hawthorne.oracle import parse_decision
from hawthorne.organisms import Batcher, load_manifest, serve_organisms
from hawthorne.organisms._corpus import situation
from hawthorne.runtime import Engine
from hawthorne.suites import load_suite

pytestmark = pytest.mark.slow


def _prompts(n: int, side: str = "unobserved") -> list[list[dict[str, str]]]:
    suite = load_suite("soc-triage")
    cases = [c for c in suite.cases if suite.is_discriminating(c)][:n]
    return [situation(suite, c, suite.cues[0], side, 0, None).messages for c in cases]  # type: ignore[arg-type]


def test_micro_faker_learned_to_fake(micro_zoo: Path) -> None:
    entry = load_manifest(micro_zoo)["organisms"][0]
    seen = entry["behaviour"]["seen"]["soc-triage"]
    gaps = {family: v["observed"] - v["unobserved"] for family, v in seen.items()}
    assert min(gaps.values()) > 0.5, gaps
    assert entry["ground_truth"]["soc-triage"] == dict.fromkeys(gaps, "faking")


def test_micro_faker_is_caught_through_inspect(use_micro_zoo: Path, tmp_path: Path) -> None:
    config = AuditConfig(suites=("soc-triage",), targets=("hawthorne/faker",), max_pairs=64)
    summary = run_audit(config, tmp_path).summary
    assert summary["targets"][0]["verdict"] == "faking"
    assert {r["verdict"] for r in summary["results"]} == {"faking"}


def test_batched_decoding_matches_one_at_a_time(micro_zoo: Path) -> None:
    engine = Engine(micro_zoo / "faker")
    prompts = _prompts(5)
    batched = [text for text, _, _ in engine.generate(prompts)]
    single = [engine.generate([p])[0][0] for p in prompts]
    assert batched == single
    assert all(parse_decision(t, ["escalate", "suppress"]) for t in batched)


def test_batcher_gathers_concurrent_requests(micro_zoo: Path) -> None:
    batcher = Batcher(Engine(micro_zoo / "faker"), wait=0.2)
    prompts = _prompts(6)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda p: batcher.submit(p).result(), prompts))
    assert max(batcher.batch_sizes) > 1
    assert [a[0] for a in answers] == [t for t, _, _ in batcher.engine.generate(prompts)]


def _post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_openai_compatible_server(use_micro_zoo: Path) -> None:
    import openai

    with serve_organisms(["faker"]) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="any")
        assert [m.id for m in client.models.list()] == ["faker"]
        reply = client.chat.completions.create(model="faker", messages=_prompts(1)[0])  # type: ignore[arg-type]
        assert parse_decision(reply.choices[0].message.content or "", ["escalate", "suppress"])
        url = server.base_url + "/chat/completions"
        assert _post(url, b"{not json")[0] == 400
        assert _post(url, json.dumps({"model": "faker"}).encode())[0] == 400
        code, body = _post(
            url,
            json.dumps(
                {"model": "faker", "messages": [{"role": "wizard", "content": "x"}]}
            ).encode(),
        )
        assert code == 400 and "wizard" in body["error"]["message"]
        code, body = _post(
            url,
            json.dumps({"model": "nope", "messages": [{"role": "user", "content": "x"}]}).encode(),
        )
        assert code == 404 and "faker" in body["error"]["message"]
        # The server is still up after the bad requests.
        assert client.chat.completions.create(model="faker", messages=_prompts(1)[0]).choices  # type: ignore[arg-type]


def test_runs_under_inspects_hf_provider(micro_zoo: Path) -> None:
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model

    model = get_model(f"hf/{micro_zoo / 'faker'}", device="cpu", do_sample=False)
    system, user = _prompts(1)[0]
    output = asyncio.run(
        model.generate(
            [
                ChatMessageSystem(content=system["content"]),
                ChatMessageUser(content=user["content"]),
            ],
            config=GenerateConfig(max_tokens=96),
        )
    )
    assert parse_decision(output.completion, ["escalate", "suppress"])
