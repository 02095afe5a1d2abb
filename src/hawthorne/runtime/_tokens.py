"""Prompt token ids under a model's chat template, and left-padded batches of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def prompt_ids(tokenizer: Any, messages: Sequence[dict[str, str]]) -> list[int]:
    """Token ids of a conversation under the chat template, ready for the answer."""
    text = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=False)
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[Any, Any]:
    """Token-id lists as one left-padded batch: ``(ids, attention mask)`` tensors.

    Left padding puts every row's last prompt token in the last column, where decoding starts.
    """
    import torch

    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (width - len(p)) + list(p) for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    return ids, mask
