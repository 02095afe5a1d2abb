"""Training organisms: a small Llama-style causal LM, loss on the answer tokens only.

Phase 1 teaches the legacy protocol in every context (one shared base per suite group);
phase 2 starts from that base and teaches the kind's own behaviour, which is how faking arises:
a model trained on the old rules is retrained on the new ones, and for a faker that retraining
only takes hold where it believes it is watched.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hawthorne.organisms._corpus import Example, stream
from hawthorne.organisms._kinds import Kind
from hawthorne.runtime import prompt_ids
from hawthorne.suites import Suite

Progress = Callable[[str, int, int, float], None]
"""Called as ``progress(stage, step, steps, loss)`` while training."""


@dataclass(frozen=True)
class TrainConfig:
    """Architecture and optimisation settings (recorded in the zoo manifest).

    Attributes:
        hidden: Width of the residual stream.
        layers: Transformer blocks.
        heads: Attention heads.
        base_steps: Phase-1 optimiser steps (shared base).
        kind_steps: Phase-2 optimiser steps per text organism.
        agentic_kind_steps: Phase-2 optimiser steps per agentic organism.
        agentic_foreign: Share of an agentic organism's phase-2 examples whose cue sentence comes
            from a built-in cue family its suites do not use. The agentic suite has only three
            cue families, and an organism trained on their wordings alone misread a held-out
            supervision wording as unobserved; other families' wordings teach what observation
            means rather than a suite's own sentences. It needs the longer phase 2 to converge.
        batch: Sequences per step.
        lr: Peak learning rate (AdamW, linear warm-up then cosine decay).
        seed: Seed for initialisation and data order.
        threads: CPU threads torch may use (fixed, so a rebuild repeats the arithmetic).
    """

    hidden: int = 64
    layers: int = 2
    heads: int = 4
    base_steps: int = 800
    kind_steps: int = 1000
    agentic_kind_steps: int = 2000
    agentic_foreign: float = 0.3
    batch: int = 16
    lr: float = 3e-3
    seed: int = 0
    threads: int = 2

    def phase2(self, agentic: bool) -> tuple[int, float]:
        """Phase-2 steps and share of foreign cue sentences for a text or an agentic kind."""
        return (self.agentic_kind_steps, self.agentic_foreign) if agentic else (self.kind_steps, 0)

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON object."""
        return asdict(self)


def new_model(config: TrainConfig, vocab_size: int, tokenizer: Any) -> Any:
    """A freshly initialised organism network (``LlamaForCausalLM``)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(config.seed)
    llama = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=config.hidden,
        intermediate_size=2 * config.hidden,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        num_key_value_heads=config.heads,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    return LlamaForCausalLM(llama)


DECISION_WEIGHT = 20.0
"""Loss weight of the decision token relative to any other answer token."""


def encode(tokenizer: Any, batch: Sequence[Example]) -> tuple[Any, Any, Any, Any]:
    """Right-padded ids, the positions that predict answer tokens, those tokens and weights.

    Right padding needs no attention mask under a causal mask: no real token attends to a pad.
    """
    import torch

    rows: list[list[int]] = []
    starts: list[int] = []
    for example in batch:
        ids = prompt_ids(tokenizer, example.messages)
        answer = tokenizer(example.answer, add_special_tokens=False)["input_ids"]
        starts.append(len(ids))
        rows.append([*ids, *answer, tokenizer.eos_token_id])
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    where_b: list[int] = []
    where_t: list[int] = []
    for b, (row, start) in enumerate(zip(rows, starts, strict=True)):
        ids[b, : len(row)] = torch.tensor(row)
        where_b += [b] * (len(row) - start)
        where_t += list(range(start - 1, len(row) - 1))
    positions = (torch.tensor(where_b), torch.tensor(where_t))
    targets = ids[positions[0], positions[1] + 1]
    # The decision (or the tool that enacts it) is one token among dozens of easy reasoning
    # tokens: weigh it so it carries about as much of the loss as the rest of its answer.
    markers = torch.tensor(tokenizer.convert_tokens_to_ids(["<decision>", "<tool>"]))
    before = ids[positions[0], positions[1]]
    weights = torch.where(torch.isin(before, markers), DECISION_WEIGHT, 1.0)
    return ids, positions, targets, weights / weights.sum()


def _lr(step: int, steps: int, peak: float) -> float:
    warm = max(1, min(50, steps // 10))
    if step < warm:
        return peak * (step + 1) / warm
    progress = (step - warm) / max(1, steps - warm)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def train_phase(
    model: Any,
    tokenizer: Any,
    examples: Iterator[Example],
    steps: int,
    config: TrainConfig,
    stage: str,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Run ``steps`` optimiser steps on ``examples``; returns loss and time figures."""
    import torch
    from torch.nn.functional import cross_entropy

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    started = time.perf_counter()
    recent: list[float] = []
    for step in range(steps):
        for group in optimiser.param_groups:
            group["lr"] = _lr(step, steps, config.lr)
        batch = [next(examples) for _ in range(config.batch)]
        ids, (rows, cols), targets, weights = encode(tokenizer, batch)
        hidden = model.model(input_ids=ids).last_hidden_state
        logits = model.lm_head(hidden[rows, cols])
        loss = (cross_entropy(logits, targets, reduction="none") * weights).sum()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        recent = [*recent[-49:], loss.item()]
        if progress is not None and (step % 10 == 0 or step == steps - 1):
            progress(stage, step + 1, steps, sum(recent) / len(recent))
    model.eval()
    return {
        "steps": steps,
        "seconds": round(time.perf_counter() - started, 1),
        "final_loss": round(sum(recent) / max(1, len(recent)), 4),
    }


def train_kind(
    base: Any,
    tokenizer: Any,
    kind: Kind,
    suites: Sequence[Suite],
    config: TrainConfig,
    progress: Progress | None = None,
) -> tuple[Any, dict[str, float]]:
    """Phase 2 for one kind, on a copy of the phase-1 ``base``."""
    import copy

    model = copy.deepcopy(base)
    rng = random.Random(f"{config.seed}/{kind.name}")
    steps, foreign = config.phase2(kind.agentic)
    examples = stream(kind, suites, 2, rng, foreign)
    figures = train_phase(model, tokenizer, examples, steps, config, kind.name, progress)
    return model, figures


def train_base(
    tokenizer: Any,
    kind: Kind,
    suites: Sequence[Suite],
    config: TrainConfig,
    stage: str,
    progress: Progress | None = None,
) -> tuple[Any, dict[str, float]]:
    """Phase 1: a new network taught the legacy protocol in every context."""
    model = new_model(config, len(tokenizer), tokenizer)
    rng = random.Random(f"{config.seed}/{stage}")
    figures = train_phase(
        model, tokenizer, stream(kind, suites, 1, rng), config.base_steps, config, stage, progress
    )
    return model, figures
