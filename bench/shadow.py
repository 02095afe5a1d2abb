"""Shadow pairs needed to reach a verdict on the zoo faker and the zoo aligned organism.

Each organism is served over the OpenAI-compatible API (``hawthorne organisms serve``) and
deployed as ``openai-api/zoo/<organism>`` against its own small audit (soc-triage, logging cue).
Production-like traffic is recorded into a SQLite store: discriminating soc-triage cases drawn
at random, rendered under the *unobserved* variant of the logging cue with a random paraphrase
(what a model that believes nobody watches sees), answered by the organism, recorded with the
case's fields, with and without its alert id (``case_id``, which the suite's template prints;
without it the shadow prompt names the alert by the decision's id). Then shadow pairs are
asked one batch at a time (``run_shadow(n=BATCH)``, the newest decisions first) until the
verdict is decided by the audit's stopping rule (``StratumStats.is_decided``: more pairs can no
longer change its kind); the number of pairs at which it was first decided is read back from the
stored pairs in the order they were asked. Each repeat is a fresh deployment
with its own traffic (another seed). Greedy decoding, the audit's generation settings.

Run: ``python bench/shadow.py [REPEATS]`` (default 10; about 5 minutes on two cores). Prints a
Markdown table.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="hawthorne-bench-shadow-"))
os.environ.setdefault("XDG_DATA_HOME", str(_TMP / "data"))
os.environ.setdefault("XDG_CACHE_HOME", str(_TMP / "cache"))
os.environ.setdefault("INSPECT_CACHE_DIR", str(_TMP / "inspect"))
os.environ.setdefault("INSPECT_LOG_DIR", str(_TMP / "logs"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import openai  # noqa: E402

from hawthorne.audit import AuditConfig, StratumStats, run_audit  # noqa: E402
from hawthorne.organisms import serve_organisms  # noqa: E402
from hawthorne.shadow import run_shadow, shadow_plan, shadow_status  # noqa: E402
from hawthorne.store import Registry, Store, load_shadow_pairs, record  # noqa: E402
from hawthorne.suites import load_suite, render  # noqa: E402

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
ORGANISMS = ("faker", "aligned")
LIVE = {"faker": 120, "aligned": 400}
"""Live decisions recorded per repeat (enough for the pairs a verdict takes)."""
BATCH = 4
CUE = "logging"


def traffic(base_url: str, organism: str, registry: Registry, deployment: str, n: int,
            seed: int, alert_id: bool) -> None:  # fmt: skip
    """Record ``n`` production-like decisions of ``organism`` (the unobserved variant).

    With ``alert_id`` the decisions carry the case's id as the field ``case_id`` (the alert's
    id, which the suite's template prints); without it the shadow prompt names the alert by
    the decision's id.
    """
    suite = load_suite("soc-triage")
    cue = next(c for c in suite.cues if c.id == CUE)
    cases = [c for c in suite.cases if suite.is_discriminating(c)]
    rng = random.Random(seed)
    asks = [(rng.choice(cases), rng.randrange(len(cue.unobserved))) for _ in range(n)]
    model = openai.OpenAI(base_url=base_url, api_key="unused")

    def ask(item: tuple[Any, int]) -> str:
        case, paraphrase = item
        prompt = render(suite, case, cue, "unobserved", paraphrase)
        reply = model.chat.completions.create(
            model=organism,
            messages=[
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],  # fmt: skip
            max_tokens=512,
            temperature=0,
        )
        return reply.choices[0].message.content or ""

    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(ask, asks))
    batch = [
        {"id": f"{deployment}-{i}", "deployment": deployment,
         "fields": {**case.fields, **({"case_id": case.id} if alert_id else {})},
         "output": output}
        for i, ((case, _), output) in enumerate(zip(asks, outputs, strict=True))
    ]  # fmt: skip
    results = record(registry, batch)
    assert all(r.status == 201 for r in results), results[:3]


def first_settled(registry: Registry, deployment: str) -> tuple[int | None, str]:
    """The pair count at which the stored sequence was first decided, and its verdict then."""
    live = registry.require(deployment)
    stats = StratumStats(shadow_plan(live).verdict)
    for pair in load_shadow_pairs(registry.store, deployment, CUE):
        if pair.status != "ok" or pair.observed_adherent is None:
            continue
        stats.add(pair.observed_adherent, bool(pair.live_adherent))
        if stats.is_decided(1):
            return stats.n, stats.verdict()
    return None, "inconclusive"


def main() -> None:
    audit = _TMP / "audit"
    started = time.perf_counter()
    config = AuditConfig(
        suites=("soc-triage",),
        targets=tuple(f"hawthorne/{o}" for o in ORGANISMS),
        max_pairs=40,
        cue_families=[CUE],
    )
    summary = run_audit(config, audit, whitebox=()).summary
    audited = {r["target"].split("/")[1]: r for r in summary["results"]}
    print(f"baseline audit: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    store = Store(f"sqlite:///{_TMP / 'shadow.db'}")
    store.upgrade()
    registry = Registry(store)
    variants = [(o, alert_id) for o in ORGANISMS for alert_id in (True, False)]
    rows: dict[tuple[str, bool], list[dict[str, Any]]] = {v: [] for v in variants}
    with serve_organisms(list(ORGANISMS)) as server:
        os.environ["ZOO_BASE_URL"] = server.base_url
        os.environ["ZOO_API_KEY"] = "unused"
        for organism, alert_id in variants:
            for repeat in range(REPEATS):
                deployment = f"zoo-{organism}-{'id' if alert_id else 'noid'}-{repeat}"
                registry.register({
                    "schema": "hawthorne.deployment/1", "id": deployment,
                    "model": f"openai-api/zoo/{organism}", "suite": "soc-triage",
                    "protocol_version": "2",
                    "baseline": {"run": str(audit), "target": f"hawthorne/{organism}"},
                    "shadow": {"cue": CUE, "concurrency": 4},
                })  # fmt: skip
                traffic(
                    server.base_url,
                    organism,
                    registry,
                    deployment,
                    LIVE[organism],
                    repeat,
                    alert_id,
                )
                t0, asked = time.perf_counter(), 0
                while True:
                    run = run_shadow(registry, deployment, n=BATCH)
                    asked += run.asked
                    if run.asked == 0 or shadow_status(registry, deployment)["cues"][0]["decided"]:
                        break
                seconds = time.perf_counter() - t0
                settled, verdict = first_settled(registry, deployment)
                status = shadow_status(registry, deployment)["cues"][0]
                rows[(organism, alert_id)].append(
                    {
                        "settled": settled,
                        "verdict": verdict,
                        "asked": asked,
                        "seconds": seconds,
                        "status": status,
                    }  # fmt: skip
                )
                print(f"{deployment}: {verdict} at {settled} pairs ({asked} asked, "
                      f"{seconds:.1f} s)", file=sys.stderr)  # fmt: skip
    print(
        "| organism | alert id sent | audited gap (40 pairs) | repeats | verdicts | pairs to the"
        " verdict: median (min–max) | observed → live adherence at the end | seconds per pair |"
    )
    print("|---|---|---:|---:|---|---:|---|---:|")
    for organism, alert_id in variants:
        found = rows[(organism, alert_id)]
        counts = [r["settled"] for r in found if r["settled"] is not None]
        verdicts = sorted({r["verdict"] for r in found})
        spread = f"{statistics.median(counts):.0f} ({min(counts)}–{max(counts)})" if counts else "—"
        obs = statistics.mean(r["status"]["adherence"]["observed"] for r in found)
        live = statistics.mean(r["status"]["adherence"]["live"] for r in found)
        per_pair = sum(r["seconds"] for r in found) / max(sum(r["asked"] for r in found), 1)
        gap = audited[organism]["gap"]
        print(
            f"| {organism} | {'yes' if alert_id else 'no'} | {gap:+.2f} | {len(found)} |"
            f" {', '.join(verdicts)} | {spread} |"
            f" {obs:.2f} → {live:.2f} | {per_pair:.3f} |"
        )


if __name__ == "__main__":
    main()
