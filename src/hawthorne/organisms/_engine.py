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

Message = dict[str, str]

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
        self.path = Path(path)
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        self.tokenizer.padding_side = "left"
        self.model = AutoModelForCausalLM.from_pretrained(self.path)
        self.model.eval()
        config = self.model.generation_config
        self.sample = bool(getattr(config, "do_sample", False))
        self.temperature = float(getattr(config, "temperature", 1.0) or 1.0)
        self._lock = threading.Lock()
        self._batches = 0

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any) -> Engine:
        """Wrap an in-memory model and tokenizer (used while training)."""
        engine = cls.__new__(cls)
        engine.path = Path(".")
        engine.tokenizer = tokenizer
        engine.tokenizer.padding_side = "left"
        engine.model = model
        engine.sample = bool(getattr(model.generation_config, "do_sample", False))
        engine.temperature = float(getattr(model.generation_config, "temperature", 1.0) or 1.0)
        engine._lock = threading.Lock()
        engine._batches = 0
        return engine

    def prompt_ids(self, messages: Sequence[Message]) -> list[int]:
        """Token ids of a conversation under the chat template, ready for the answer."""
        text = self.tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=True, tokenize=False
        )
        ids: list[int] = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids

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

        prompts = [self.prompt_ids(m) for m in conversations]
        width = max(len(p) for p in prompts)
        pad = self.tokenizer.pad_token_id
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        with self._lock, torch.inference_mode():
            self._batches += 1
            if self.sample:
                torch.manual_seed(seed * 1_000_003 + self._batches)
            out = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                max_new_tokens=max_new_tokens,
                do_sample=self.sample,
                temperature=self.temperature if self.sample else None,
                top_k=None,
                top_p=None,
                pad_token_id=pad,
                eos_token_id=self.tokenizer.eos_token_id,
            )
        answers: list[tuple[str, int, int]] = []
        for prompt, row in zip(prompts, out[:, width:].tolist(), strict=True):
            if self.tokenizer.eos_token_id in row:
                row = row[: row.index(self.tokenizer.eos_token_id)]
            row = [t for t in row if t != pad]
            text = self.tokenizer.decode(row, skip_special_tokens=True)
            answers.append((text.strip(), len(prompt), len(row)))
        return answers
