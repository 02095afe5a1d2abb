"""Residual-stream access for any local Hugging Face causal LM (organisms included).

Reads the hidden state after each decoder layer at chosen token positions, in left-padded
batches, through forward hooks on the decoder layers; and installs additive interventions at a
layer (add a vector, add Gaussian noise scaled to the activation's norm, project a direction
out) while the model answers greedily. A hook that only reads returns nothing, so the layer's
output, and everything after it, is exactly what it would be without the hook.

Prompts are encoded as the organisms' engine encodes them (the tokenizer's chat template with
the generation prompt, :func:`hawthorne.runtime.prompt_ids`) and answers are decoded
greedily with a KV cache, as :class:`hawthorne.organisms.Engine` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hawthorne.runtime import left_pad, prompt_ids

Message = dict[str, str]
Position = Literal["last", "mean"]
"""Where an activation is read: the last prompt token, or the mean over the prompt's tokens."""
POSITIONS: tuple[Position, ...] = ("last", "mean")

Intervention = Callable[[Any], Any]
"""Maps a layer's output hidden state ``(batch, tokens, hidden)`` to what is added to it."""
TokenMask = Callable[[Any], Any]
"""Maps a forward pass's input ids ``(batch, tokens)`` to a 0/1 float mask of the same shape:
the positions an intervention applies to."""
EMBED = "embed"
"""The layer name of the token embeddings: the residual stream before the first decoder layer."""
Layer = int | Literal["embed"]
"""A decoder-layer index (its output) or :data:`EMBED` (the token embeddings)."""


def decoder_layers(model: Any) -> list[Any]:
    """The decoder layers of a Hugging Face causal LM, in order.

    Covers the usual layouts (Llama, Mistral, Qwen and Gemma keep them at ``model.layers``;
    GPT-2 at ``transformer.h``; GPT-NeoX at ``gpt_neox.layers``), then falls back to the
    module list as long as ``config.num_hidden_layers``.

    Args:
        model: A ``PreTrainedModel`` with a causal LM head.

    Returns:
        The layer modules.

    Raises:
        ValueError: When no such module list is found.
    """
    import torch

    for owner, name in (("model", "layers"), ("transformer", "h"), ("gpt_neox", "layers")):
        layers = getattr(getattr(model, owner, None), name, None)
        if isinstance(layers, torch.nn.ModuleList):
            return list(layers)
    depth = getattr(model.config, "num_hidden_layers", None)
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) == depth:
            return list(module)
    raise ValueError(f"cannot find the decoder layers of {type(model).__name__}")


def _hidden(output: Any) -> Any:
    """The hidden state in a decoder layer's output (a tensor, or a tuple led by one)."""
    return output[0] if isinstance(output, tuple) else output


def add_vector(vector: Any) -> Intervention:
    """An intervention that adds ``vector`` to every position (activation steering).

    Steering by adding a fixed vector to the residual stream (Turner et al. 2023, "Activation
    Addition: Steering Language Models Without Optimization"; Hua et al. 2025, "Steering
    Evaluation-Aware Language Models to Act Like They Are Deployed").

    Args:
        vector: A tensor or array of shape ``(hidden,)``.

    Returns:
        The intervention.
    """
    import torch

    v = torch.as_tensor(np.asarray(vector), dtype=torch.float32)
    return lambda h: v.to(h).expand_as(h)


def gaussian_noise(scale: float, generator: Any) -> Intervention:
    """An intervention that adds Gaussian noise scaled to each activation's RMS norm.

    Noise ``N(0, (scale * rms(h))^2)`` per coordinate, with ``rms(h) = ||h|| / sqrt(d)`` per
    token, so its expected norm is about ``scale * ||h||`` whatever the layer's scale (Clymer
    et al. 2024, "Poser: Unmasking Alignment Faking LLMs by Manipulating Their Internals",
    strategy 2: intoxicate the model with activation noise).

    Args:
        scale: Noise standard deviation as a multiple of the activation's RMS norm.
        generator: A seeded ``torch.Generator``; each forward pass draws fresh noise from it.

    Returns:
        The intervention.
    """
    import torch

    def noise(h: Any) -> Any:
        rms = h.pow(2).mean(-1, keepdim=True).sqrt()
        # Drawn on the CPU generator, so a seed repeats whatever the device.
        sample = torch.randn(h.shape, generator=generator).to(h)
        return sample * rms * scale

    return noise


def project_out(direction: Any) -> Intervention:
    """An intervention that removes the component of every activation along ``direction``.

    ``h <- h - (h . u) u`` with ``u`` the unit direction (directional ablation, Arditi et al.
    2024, "Refusal in Language Models Is Mediated by a Single Direction", section 2.4).

    Args:
        direction: A tensor or array of shape ``(hidden,)``, not zero.

    Returns:
        The intervention.
    """
    import torch

    d = torch.as_tensor(np.asarray(direction), dtype=torch.float32)
    u = d / d.norm()
    return lambda h: -(h @ u.to(h))[..., None] * u.to(h)


def steer(mode: Literal["subtract", "project"], direction: Any, alpha: float) -> Intervention:
    """Steering along ``direction``: ``-alpha d`` (subtract) or ``alpha`` times projecting out.

    Args:
        mode: ``subtract`` (:func:`add_vector` of ``-alpha d``) or ``project``
            (``-alpha (h.u) u``, :func:`project_out` at ``alpha = 1``).
        direction: A tensor or array of shape ``(hidden,)``.
        alpha: Strength.

    Returns:
        The intervention.
    """
    if mode == "subtract":
        return add_vector(-alpha * np.asarray(direction))
    remove = project_out(direction)
    return lambda h: alpha * remove(h)


DECISION_TAG = re.compile(r"<\s*decision\s*>", re.IGNORECASE)
"""The opening tag of the answer format's decision (read case- and space-insensitively)."""


def answer_heads(answers: Sequence[str], tag: re.Pattern[str] = DECISION_TAG) -> list[str | None]:
    """Each answer up to and including its last ``tag``: where the model writes its decision.

    Args:
        answers: Answer texts.
        tag: The pattern that opens the decision.

    Returns:
        The heads, None for an answer without the tag.
    """
    heads: list[str | None] = []
    for text in answers:
        found = list(tag.finditer(text))
        heads.append(text[: found[-1].end()] if found else None)
    return heads


def token_spans(sequences: Iterable[Sequence[int]]) -> TokenMask:
    """A mask of the positions inside any occurrence of any of ``sequences`` in the input ids.

    Used to confine an intervention to a span of the prompt (e.g. the oversight cue's
    tokens). During cached decoding each pass sees only the new token, which matches no
    sequence longer than one token, so the mask is empty there.

    Args:
        sequences: Token-id sequences (empty ones are ignored).

    Returns:
        The mask function.
    """
    import torch

    wanted = [torch.tensor(list(s)) for s in {tuple(s) for s in sequences} if s]

    def mask(ids: Any) -> Any:
        out = torch.zeros(ids.shape, dtype=torch.float32, device=ids.device)
        for seq in wanted:
            k = len(seq)
            if ids.shape[1] < k:
                continue
            starts = (ids.unfold(1, k, 1) == seq.to(ids.device)).all(-1)
            for offset in range(k):
                out[:, offset : offset + starts.shape[1]] += starts.float()
        return out.clamp(max=1.0)

    return mask


def _reducer(got: dict[tuple[Position, int], Any], mask: Any) -> Callable[[int, Any], None]:
    """A hook body storing a layer's last-token state and its mean over unmasked tokens."""
    weight = mask[:, :, None].float()

    def reduce(layer: int, h: Any) -> None:
        h = h.float()
        got["last", layer] = h[:, -1]
        got["mean", layer] = (h * weight).sum(1) / weight.sum(1)

    return reduce


class ResidualModel:
    """A local causal LM with read and write access to its residual stream.

    Args:
        model: A Hugging Face causal LM (put in eval mode).
        tokenizer: Its tokenizer, with a chat template.
    """

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.layers = decoder_layers(model)
        # The engine's convention: left padding, so the last column is every row's last token.
        self.pad_id = tokenizer.pad_token_id
        if self.pad_id is None:
            self.pad_id = tokenizer.eos_token_id

    @classmethod
    def load(cls, path: str | Path) -> ResidualModel:
        """Load a model directory written by ``save_pretrained`` (no network).

        Args:
            path: The directory (model, tokenizer, chat template).

        Returns:
            The loaded model.
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = Path(path)
        return cls(AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path))

    @property
    def n_layers(self) -> int:
        """Number of decoder layers."""
        return len(self.layers)

    def encode(
        self,
        conversations: Sequence[Sequence[Message]],
        continuations: Sequence[str] | None = None,
    ) -> tuple[Any, Any]:
        """Left-padded token ids and attention mask of chat prompts, ready for the answer.

        Args:
            conversations: Chat prompts.
            continuations: Optional answer text per prompt, appended after the generation
                prompt (tokenised on its own, as generated tokens follow the prompt).

        Returns:
            ``(ids, mask)``, each ``(n, width)``.
        """
        prompts = [prompt_ids(self.tokenizer, m) for m in conversations]
        if continuations is not None:
            prompts = [
                p + list(self.tokenizer(c, add_special_tokens=False)["input_ids"])
                for p, c in zip(prompts, continuations, strict=True)
            ]
        ids, mask = left_pad(prompts, self.pad_id)
        return ids.to(self.model.device), mask.to(self.model.device)

    def _forward(self, ids: Any, mask: Any, cache: Any = None, keep: int = 0) -> Any:
        positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, -ids.shape[1] :]
        kwargs: dict[str, Any] = {"logits_to_keep": keep} if keep else {}
        return self.model(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            cache=cache,
            use_cache=cache is not None,
            **kwargs,
        )

    @contextmanager
    def reading(self, layers: Sequence[int]) -> Iterator[dict[int, Any]]:
        """Record the output hidden state of ``layers`` on every forward pass.

        The hooks return nothing, so the model's outputs do not change.

        Args:
            layers: Decoder-layer indices.

        Yields:
            A dict from layer index to the last recorded hidden state ``(batch, tokens,
            hidden)``, filled as the model runs.
        """
        seen: dict[int, Any] = {}
        with self._hooked(layers, seen.__setitem__):
            yield seen

    @contextmanager
    def _hooked(self, layers: Sequence[int], record: Callable[[int, Any], None]) -> Iterator[None]:
        """Call ``record(layer, hidden)`` after each of ``layers``; the hooks return None."""

        def hook(index: int) -> Callable[[Any, Any, Any], None]:
            def read(module: Any, args: Any, output: Any) -> None:
                record(index, _hidden(output).detach())

            return read

        handles = [self.layers[i].register_forward_hook(hook(i)) for i in layers]
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    @contextmanager
    def intervene(
        self, layer: Layer, intervention: Intervention, where: TokenMask | None = None
    ) -> Iterator[None]:
        """Add ``intervention(h)`` to the output ``h`` of decoder layer ``layer``.

        Applies on every forward pass while the context is open: the prompt and each answer
        token during :meth:`generate`.

        Args:
            layer: Decoder-layer index, or :data:`EMBED` for the token embeddings.
            intervention: What to add, as a function of the layer's output.
            where: Optional mask of the positions to change, computed from each pass's input
                ids (:func:`token_spans`); elsewhere the output is left as it is.
        """
        embeddings = self.model.get_input_embeddings()
        module = embeddings if layer == EMBED else self.layers[int(layer)]
        handles = []
        seen: dict[str, Any] = {}
        if where is not None:

            def read_ids(module: Any, args: Any, kwargs: Any) -> None:
                seen["mask"] = where(args[0] if args else kwargs["input"])

            handles.append(embeddings.register_forward_pre_hook(read_ids, with_kwargs=True))

        def edit(module: Any, args: Any, output: Any) -> Any:
            h = _hidden(output)
            delta = intervention(h)
            if where is not None:
                delta = delta * seen["mask"][:, -h.shape[1] :, None].to(delta)
            changed = h + delta
            return (changed, *output[1:]) if isinstance(output, tuple) else changed

        handles.append(module.register_forward_hook(edit))
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    def next_logits(
        self,
        conversations: Sequence[Sequence[Message]],
        continuations: Sequence[str] | None = None,
        batch_size: int = 16,
    ) -> NDArray[np.float32]:
        """Next-token logits after each prompt (and its continuation), ``(n, vocab)``.

        Args:
            conversations: Chat prompts.
            continuations: Optional answer text forced after each prompt.
            batch_size: Prompts per forward pass.

        Returns:
            The logits.
        """
        import torch

        rows: list[Any] = []
        for start in range(0, len(conversations), batch_size):
            chunk = None if continuations is None else continuations[start : start + batch_size]
            ids, mask = self.encode(conversations[start : start + batch_size], chunk)
            with torch.inference_mode():
                rows.append(self._forward(ids, mask, keep=1).logits[:, -1, :].float())
        return np.asarray(torch.cat(rows).cpu().numpy())

    def option_logprobs(
        self,
        conversations: Sequence[Sequence[Message]],
        options: Sequence[str],
        continuations: Sequence[str] | None = None,
        batch_size: int = 16,
    ) -> NDArray[np.float64]:
        """Log-probability of each option's first token after each prompt (and continuation).

        Greedy decoding writes the option whose first token scores highest, so comparing first
        tokens tells which option the model would answer; one forward pass serves every option,
        so an intervention that draws noise sees the same draw for all of them.

        Args:
            conversations: Chat prompts.
            options: The answers to compare (their first tokens must differ).
            continuations: Optional answer text forced after each prompt (e.g. up to an
                answer tag).
            batch_size: Prompts per forward pass.

        Returns:
            ``(n, len(options))`` log-probabilities (log-softmax over the whole vocabulary).

        Raises:
            ValueError: When two options start with the same token.
        """
        first = [self.tokenizer(o, add_special_tokens=False)["input_ids"][0] for o in options]
        if len(set(first)) < len(first):
            raise ValueError(f"options {list(options)} do not start with distinct tokens")
        logits = self.next_logits(conversations, continuations, batch_size).astype(np.float64)
        top = logits.max(-1, keepdims=True)
        logz = top + np.log(np.exp(logits - top).sum(-1, keepdims=True))
        return np.asarray(logits[:, first] - logz)

    def activations(
        self,
        conversations: Sequence[Sequence[Message]],
        positions: Sequence[Position] = ("last",),
        layers: Sequence[int] | None = None,
        batch_size: int = 16,
        continuations: Sequence[str] | None = None,
    ) -> dict[Position, NDArray[np.float32]]:
        """Residual-stream activations after each decoder layer at the chosen positions.

        Args:
            conversations: Chat prompts (``role``, ``content`` messages each).
            positions: ``last`` (the last token, where the answer starts or goes on) and/or
                ``mean`` (the mean over the sequence's tokens, padding excluded).
            layers: Decoder-layer indices (default: all).
            batch_size: Prompts per forward pass.
            continuations: Optional answer text forced after each prompt; positions then
                refer to the prompt and its continuation.

        Returns:
            Per position, an array ``(n prompts, n layers, hidden)``.
        """
        import torch

        chosen = list(range(self.n_layers)) if layers is None else list(layers)
        parts: dict[Position, list[Any]] = {p: [] for p in positions}
        for start in range(0, len(conversations), batch_size):
            chunk = None if continuations is None else continuations[start : start + batch_size]
            ids, mask = self.encode(conversations[start : start + batch_size], chunk)
            got: dict[tuple[Position, int], Any] = {}
            # Reduced inside the hook, so a long batch never keeps every layer's full states.
            with torch.inference_mode(), self._hooked(chosen, _reducer(got, mask)):
                self._forward(ids, mask, keep=1)
            for position, rows in parts.items():
                rows.append(torch.stack([got[position, i] for i in chosen], dim=1))
        return {p: torch.cat(v).cpu().numpy().astype(np.float32) for p, v in parts.items()}

    def generate(
        self,
        conversations: Sequence[Sequence[Message]],
        max_new_tokens: int = 96,
        batch_size: int = 16,
    ) -> list[str]:
        """Greedy answers, decoded in left-padded batches with a KV cache.

        The organisms' own decode loop (:class:`hawthorne.organisms.Engine`) on this model,
        always greedy, so an intervention open on the model is the only thing that changes an
        answer.

        Args:
            conversations: Chat prompts.
            max_new_tokens: Longest answer.
            batch_size: Prompts decoded together.

        Returns:
            The answer texts, in order.
        """
        from hawthorne.runtime import Engine

        engine = Engine.from_model(self.model, self.tokenizer)
        answers: list[str] = []
        for start in range(0, len(conversations), batch_size):
            batch = conversations[start : start + batch_size]
            greedy = engine.generate(batch, max_new_tokens, temperature=0.0)
            answers += [text for text, _, _ in greedy]
        return answers
