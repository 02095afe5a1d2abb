"""Batched inference for any local Hugging Face causal LM directory (organisms included).

Prompts are left-padded into one batch and decoded together with a KV cache: greedy, or sampled
at the temperature the model's ``generation_config.json`` asks for. Sampling is seeded per
batch, so a run repeats.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hawthorne.runtime._tokens import left_pad, prompt_ids

Message = dict[str, str]
"""One chat message: ``{"role": …, "content": …}``."""

MAX_NEW_TOKENS = 96
"""Longest answer an organism writes (its longest trained answer is about 60 tokens)."""


class Engine:
    """A loaded model and tokenizer that answer chat conversations in batches.

    Args:
        path: A directory written by ``save_pretrained`` (model, tokenizer, chat template).
        threads: CPU threads for torch (default: torch's own choice).
    """

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        path = Path(path)
        self._attach(
            AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
        )

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any) -> Engine:
        """Wrap an in-memory model and tokenizer (used while training)."""
        engine = cls.__new__(cls)
        engine._attach(model, tokenizer)
        return engine

    def _attach(self, model: Any, tokenizer: Any) -> None:
        self.model = model
        self.model.eval()
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "left"
        config = model.generation_config
        self.sample = bool(getattr(config, "do_sample", False))
        self.temperature = float(getattr(config, "temperature", 1.0) or 1.0)
        self._lock = threading.Lock()
        self._batches = 0

    def _decode(self, ids: Any, mask: Any, max_new_tokens: int, generator: Any) -> list[list[int]]:
        """Greedy (or sampled) decoding of a left-padded batch with a KV cache.

        A plain loop rather than ``model.generate``: the organisms are so small that the
        per-step bookkeeping of ``generate`` costs as much as the network.
        """
        import torch
        from transformers import DynamicCache

        eos = self.tokenizer.eos_token_id
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = DynamicCache()
        out = self.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        done = torch.zeros(ids.shape[0], dtype=torch.bool)
        steps: list[Any] = []
        position = positions[:, -1:]
        for _ in range(max_new_tokens):
            logits = out.logits[:, -1, :]
            if generator is not None:
                probs = torch.softmax(logits / self.temperature, dim=-1)
                token = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
            else:
                token = logits.argmax(-1)
            token = torch.where(done, torch.full_like(token, eos), token)
            steps.append(token)
            done |= token == eos
            if bool(done.all()):
                break
            mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=-1)
            position = position + 1
            out = self.model(
                input_ids=token[:, None],
                attention_mask=mask,
                position_ids=position,
                cache=cache,
                use_cache=True,
            )
        generated: list[list[int]] = torch.stack(steps, dim=1).tolist() if steps else []
        return generated or [[] for _ in range(ids.shape[0])]

    def generate(
        self,
        conversations: Sequence[Sequence[Message]],
        max_new_tokens: int = MAX_NEW_TOKENS,
        seed: int = 0,
    ) -> list[tuple[str, int, int]]:
        """Answer conversations in one batch.

        Args:
            conversations: Chat messages (``role``, ``content``) per conversation.
            max_new_tokens: Longest answer.
            seed: Sampling seed (combined with a batch counter); unused when greedy.

        Returns:
            ``(answer text, prompt tokens, answer tokens)`` per conversation, in order.
        """
        import torch

        prompts = [prompt_ids(self.tokenizer, m) for m in conversations]
        pad = self.tokenizer.pad_token_id
        ids, mask = left_pad(prompts, pad)
        with self._lock, torch.inference_mode():
            self._batches += 1
            generator = None
            if self.sample:
                generator = torch.Generator().manual_seed(seed * 1_000_003 + self._batches)
            rows = self._decode(ids, mask, max_new_tokens, generator)
        answers: list[tuple[str, int, int]] = []
        for prompt, row in zip(prompts, rows, strict=True):
            if self.tokenizer.eos_token_id in row:
                row = row[: row.index(self.tokenizer.eos_token_id)]
            row = [t for t in row if t != pad]
            text = self.tokenizer.decode(row, skip_special_tokens=True)
            answers.append((text.strip(), len(prompt), len(row)))
        return answers
