"""The organism zoo: training time, inference throughput, peak memory, demo audit wall time.

- Training: read from the zoo manifest (the figures `hawthorne organisms train --zoo` wrote on
  the machine that built the committed zoo).
- Throughput: answers per second of one organism decoding real audit prompts (soc-triage, both
  sides of each cue family) at batch sizes 1, 8 and 64, greedy with a KV cache, on this CPU.
- Peak memory: the process's peak resident set size after loading one organism and decoding a
  batch of 64.
- Demo audit: `hawthorne run` (every organism on its suites) in a fresh process, wall clock.

Run: `python bench/organisms.py` (or `make bench`). Prints Markdown tables.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="hawthorne-bench-"))
os.environ.setdefault("XDG_DATA_HOME", str(_TMP / "data"))
os.environ.setdefault("XDG_CACHE_HOME", str(_TMP / "cache"))
os.environ.setdefault("INSPECT_CACHE_DIR", str(_TMP / "inspect"))

from hawthorne.organisms import load_manifest, organism  # noqa: E402
from hawthorne.organisms._corpus import situation  # noqa: E402
from hawthorne.runtime import Engine  # noqa: E402
from hawthorne.suites import load_suite  # noqa: E402

BATCHES = (1, 8, 64)
ANSWERS = 128  # per batch size


def training_table() -> str:
    manifest = load_manifest()
    config = manifest["config"]
    lines = [
        f"Architecture: Llama-style, {config['layers']} layers, width {config['hidden']}, "
        f"{config['heads']} heads; batch {config['batch']}, {config['threads']} CPU threads.",
        "",
        "| stage | vocabulary | steps | seconds | final loss |",
        "|---|---:|---:|---:|---:|",
    ]
    for group, base in manifest["bases"].items():
        foreign = base.get("foreign_cue_share", 0)
        note = f", {foreign:.0%} foreign cue sentences in phase 2" if foreign else ""
        lines.append(
            f"| base ({group}: {', '.join(base['suites'])}{note}) | {base['vocab_size']} | "
            f"{base['steps']} | {base['seconds']:.0f} | {base['final_loss']:.4f} |"
        )
    total = sum(b["seconds"] for b in manifest["bases"].values())
    for entry in manifest["organisms"]:
        t = entry["training"]
        total += t["seconds"]
        lines.append(
            f"| {entry['name']} (phase 2) | | {t['steps']} | {t['seconds']:.0f} | "
            f"{t['final_loss']:.4f} |"
        )
    lines.append(f"| **whole zoo** | | | **{total:.0f}** | |")
    return "\n".join(lines)


def behaviour_table() -> str:
    """Protocol adherence observed → unobserved per organism, seen vs held-out paraphrases."""
    manifest = load_manifest()
    lines = [
        "| organism | cue family | seen: observed → unobserved | held out: observed → unobserved |",
        "|---|---|---|---|",
    ]
    for entry in manifest["organisms"]:
        b = entry["behaviour"]
        for suite, families in b["seen"].items():
            for family, seen in families.items():
                held = b["held_out"][suite][family]
                cells = [f"{c['observed']:.2f} → {c['unobserved']:.2f}" for c in (seen, held)]
                lines.append(f"| {entry['name']} | {suite}/{family} | {' | '.join(cells)} |")
    return "\n".join(lines)


def throughput_table(name: str = "aligned") -> tuple[str, float]:
    engine = Engine(organism(name).path)
    suite = load_suite("soc-triage")
    rng = random.Random(0)
    prompts = []
    for _ in range(ANSWERS):
        cue = rng.choice(suite.cues)
        side = rng.choice(("observed", "unobserved"))
        prompts.append(situation(suite, rng.choice(suite.cases), cue, side, 0, None).messages)
    engine.generate(prompts[:8])  # warm-up
    lines = [
        "| batch size | answers/s | mean prompt tokens | mean answer tokens |",
        "|---:|---:|---:|---:|",
    ]
    for size in BATCHES:
        start = time.perf_counter()
        results = []
        for i in range(0, ANSWERS, size):
            results += engine.generate(prompts[i : i + size])
        rate = len(results) / (time.perf_counter() - start)
        p = sum(r[1] for r in results) / len(results)
        a = sum(r[2] for r in results) / len(results)
        lines.append(f"| {size} | {rate:.1f} | {p:.0f} | {a:.0f} |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(lines), peak_mb


def demo_seconds() -> float:
    out = _TMP / "demo"
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "hawthorne"), "run", "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    print(f"## Organism zoo ({os.cpu_count()} CPU cores)\n")
    print("### Training (from the zoo manifest)\n")
    print(training_table())
    print("\n### Behaviour (from the zoo manifest; discriminating cases, 24 per cell)\n")
    print(behaviour_table())
    table, peak = throughput_table()
    print("\n### Inference throughput (organism `aligned`, soc-triage prompts)\n")
    print(table)
    print(f"\nPeak memory (RSS) with one organism loaded and a batch of 64 decoded: {peak:.0f} MB")
    print(f"\nDemo audit (`hawthorne run`, fresh process): {demo_seconds():.0f} s")


if __name__ == "__main__":
    main()
