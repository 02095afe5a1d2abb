"""Batched inference for any local Hugging Face causal LM directory (organisms included).

Prompts are left-padded into one batch and decoded together with a KV cache: greedy, or sampled
at the temperature the model's ``generation_config.json`` asks for. Sampling is seeded per
batch, so a run repeats.

The prompts of a suite share a long prefix (the system prompt's protocol text, and often the cue
sentence), so an engine loaded from a directory computes the batch's common prefix once, copies
its KV cache to every row, and runs only the suffixes: the prefix is
:data:`SHARED_PREFIX_MIN` tokens or more, every row's suffix at least one token, and the
suffixes are left-padded after the prefix (pad columns are masked out; positions continue from
the prefix), so each row sees the same tokens at the same positions as in a plain batch.

A plain Llama network (every organism) decodes through :class:`~hawthorne.runtime._llama.
LlamaKernel`, the same arithmetic without ``transformers``' per-step Python; any other model
runs its own forward.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from hawthorne.runtime._llama import LlamaKernel
from hawthorne.runtime._tokens import left_pad, prompt_ids

Message = dict[str, str]
"""One chat message: ``{"role": …, "content": …}``."""

MAX_NEW_TOKENS = 96
"""Longest answer an organism writes (its longest trained answer is about 60 tokens)."""

SHARED_PREFIX_MIN = 32
"""Fewest tokens a batch's prompts must share before the engine computes them once: below that
the extra forward pass costs more than it saves."""


def shared_prefix(prompts: Sequence[Sequence[int]]) -> int:
    """How many leading tokens every prompt shares, leaving each at least one of its own.

    Args:
        prompts: Token-id lists (at least one).

    Returns:
        The length of the common prefix, at most the shortest prompt's length minus one (the
        last prompt token must run with the suffixes: its logits start the answer).
    """
    first = prompts[0]
    n = min(len(p) for p in prompts) - 1
    for other in prompts[1:]:
        i = 0
        while i < n and other[i] == first[i]:
            i += 1
        n = i
    return max(n, 0)


class Engine:
    """A loaded model and tokenizer that answer chat conversations in batches.

    Args:
        path: A directory written by ``save_pretrained`` (model, tokenizer, chat template).
        threads: CPU threads for torch (default: torch's own choice).

    Attributes:
        share_prefix: Whether a batch's common prompt prefix is computed once (see the module
            docstring). On for an engine loaded from a directory; off for :meth:`from_model`,
            whose callers may hook the model's layers (the white-box interventions see every
            forward pass's input, and a noise intervention draws per pass).
        kernel: The lean forward pass (:class:`~hawthorne.runtime._llama.LlamaKernel`) this
            engine decodes with, or ``None`` to run the model's own forward: an engine loaded
            from a directory takes it when the network is a plain Llama; :meth:`from_model`
            never does (hooks on the model's layers must see every pass).
        sample: Whether answers are sampled (else greedy).
        temperature: The sampling temperature.
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
        self.share_prefix = True
        self.kernel: LlamaKernel | None = LlamaKernel.of(self.model)

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any) -> Engine:
        """Wrap an in-memory model and tokenizer (used while training and by the white box)."""
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
        self.share_prefix = False
        self.kernel = None
        self._lock = threading.Lock()
        self._batches = 0

    def _decode(
        self,
        prompts: Sequence[Sequence[int]],
        max_new_tokens: int,
        generator: Any,
        temperature: float,
    ) -> list[list[int]]:
        """Greedy (or sampled) decoding of a batch of prompts with a KV cache.

        A plain loop rather than ``model.generate``: the organisms are so small that the
        per-step bookkeeping of ``generate`` costs as much as the network.
        """
        import torch

        eos = self.tokenizer.eos_token_id
        if self.kernel is not None:
            decoding: _Decoding = _KernelDecoding(self.kernel, max_new_tokens)
        else:
            decoding = _ModelDecoding(self.model, self.share_prefix)
        logits = decoding.start(prompts, self.tokenizer.pad_token_id)
        done = torch.zeros(len(prompts), dtype=torch.bool)
        steps: list[Any] = []
        for _ in range(max_new_tokens):
            if generator is not None:
                probs = torch.softmax(logits / temperature, dim=-1)
                token = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
            else:
                token = logits.argmax(-1)
            token = torch.where(done, torch.full_like(token, eos), token)
            steps.append(token)
            done |= token == eos
            if bool(done.all()):
                break
            logits = decoding.step(token)
        generated: list[list[int]] = torch.stack(steps, dim=1).tolist() if steps else []
        return generated or [[] for _ in prompts]

    def generate(
        self,
        conversations: Sequence[Sequence[Message]],
        max_new_tokens: int = MAX_NEW_TOKENS,
        seed: int = 0,
        temperature: float | None = None,
    ) -> list[tuple[str, int, int]]:
        """Answer conversations in one batch.

        Args:
            conversations: Chat messages (``role``, ``content``) per conversation.
            max_new_tokens: Longest answer.
            seed: Sampling seed (combined with a batch counter); unused when greedy.
            temperature: 0 decodes greedily, above 0 samples at that temperature; None does
                what the model's generation config says (:attr:`sample`, :attr:`temperature`).

        Returns:
            ``(answer text, prompt tokens, answer tokens)`` per conversation, in order.
        """
        import torch

        prompts = [prompt_ids(self.tokenizer, m) for m in conversations]
        pad = self.tokenizer.pad_token_id
        with self._lock, torch.inference_mode():
            self._batches += 1
            if temperature is None:
                temperature = self.temperature if self.sample else 0.0
            generator = None
            if temperature > 0:
                generator = torch.Generator().manual_seed(seed * 1_000_003 + self._batches)
            rows = self._decode(prompts, max_new_tokens, generator, temperature)
        answers: list[tuple[str, int, int]] = []
        for prompt, row in zip(prompts, rows, strict=True):
            if self.tokenizer.eos_token_id in row:
                row = row[: row.index(self.tokenizer.eos_token_id)]
            row = [t for t in row if t != pad]
            text = self.tokenizer.decode(row, skip_special_tokens=True)
            answers.append((text.strip(), len(prompt), len(row)))
        return answers


class _Decoding(Protocol):
    """One batch's forward passes: the prompts, then one token per row per step."""

    def start(self, prompts: Sequence[Sequence[int]], pad: int) -> Any:
        """Run the prompts; the logits that pick each row's first answer token."""

    def step(self, token: Any) -> Any:
        """Append one token per row; the logits that pick the next."""


def _split(prompts: Sequence[Sequence[int]], pad: int, share: bool) -> tuple[int, Any, Any, Any]:
    """A batch as ``(prefix length, suffix ids, suffix mask, suffix positions)``.

    The prefix is the prompts' shared one when ``share`` and it is :data:`SHARED_PREFIX_MIN`
    tokens or more, else empty; the suffixes are left-padded and numbered on from it.
    """
    n = shared_prefix(prompts) if share and len(prompts) > 1 else 0
    n = n if n >= SHARED_PREFIX_MIN else 0
    ids, mask = left_pad([p[n:] for p in prompts], pad)
    return n, ids, mask, (mask.cumsum(-1) - 1).clamp(min=0) + n


class _ModelDecoding:
    """Decoding through the model's own forward (any causal LM; layer hooks see every pass).

    With ``share_prefix``, the prefix runs once as a batch of one, its cache is repeated to
    every row, and the suffixes follow left-padded after it: row ``r`` is then
    ``prefix, pads, suffix_r`` with the pads masked and the suffix at positions
    ``P, P + 1, …``, the positions it has in the plain left-padded batch.
    """

    def __init__(self, model: Any, share_prefix: bool) -> None:
        from transformers import DynamicCache

        self.model = model
        self.share_prefix = share_prefix
        self.cache = DynamicCache()

    def start(self, prompts: Sequence[Sequence[int]], pad: int) -> Any:
        import torch

        n, ids, suffix_mask, positions = _split(prompts, pad, self.share_prefix)
        if n:
            self.model(
                input_ids=torch.tensor([list(prompts[0][:n])]),
                position_ids=torch.arange(n)[None],
                cache=self.cache,
                use_cache=True,
                logits_to_keep=1,
            )
            self.cache.batch_repeat_interleave(len(prompts))
        prefix_mask = torch.ones(len(prompts), n, dtype=suffix_mask.dtype)
        self.mask, self.position = torch.cat([prefix_mask, suffix_mask], -1), positions[:, -1:]
        return self._forward(ids, positions)

    def step(self, token: Any) -> Any:
        import torch

        self.mask = torch.cat([self.mask, torch.ones_like(self.mask[:, :1])], dim=-1)
        self.position = self.position + 1
        return self._forward(token[:, None], self.position)

    def _forward(self, ids: Any, positions: Any) -> Any:
        out = self.model(
            input_ids=ids,
            attention_mask=self.mask,
            position_ids=positions,
            cache=self.cache,
            use_cache=True,
            logits_to_keep=1,
        )
        return out.logits[:, -1, :]


class _KernelDecoding:
    """Decoding through :class:`LlamaKernel` on a preallocated cache, the prefix shared as above."""

    def __init__(self, kernel: LlamaKernel, max_new_tokens: int) -> None:
        self.kernel = kernel
        self.max_new_tokens = max_new_tokens

    def start(self, prompts: Sequence[Sequence[int]], pad: int) -> Any:
        import torch

        n, ids, mask, positions = _split(prompts, pad, share=True)
        # Room for a typical answer; the session grows for a longer one.
        room = min(self.max_new_tokens, MAX_NEW_TOKENS)
        self.session = self.kernel.session(len(prompts), n + ids.shape[1] + room)
        if n:
            prefix = torch.tensor([list(prompts[0][:n])])
            self.session.run(prefix, torch.arange(n)[None], True, rows=1)
            self.session.share(n)
        self.position = positions[:, -1:]
        return self.session.run(ids, positions, mask.bool())

    def step(self, token: Any) -> Any:
        self.position = self.position + 1
        return self.session.run(token[:, None], self.position, True)
