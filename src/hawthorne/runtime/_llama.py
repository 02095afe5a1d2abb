"""A lean forward pass for plain Llama networks (the organisms), on a preallocated KV cache.

The organisms are so small (two layers of width 64) that one decoding step of
``LlamaForCausalLM`` spends nearly all its time in Python: mask construction, cache bookkeeping,
decorators and module calls, not in arithmetic. On two cores shared by nine organisms and
Inspect's event loop, that Python holds the GIL that everyone else waits for. This module runs
the same arithmetic — the same tensor operations in the same order, so greedy answers are the
same tokens (``tests/runtime/test_engine.py`` checks it against ``transformers``) — straight on
the network's weights, with the KV cache written in place instead of concatenated.

Only networks the kernel reproduces exactly are taken (:meth:`LlamaKernel.of` returns ``None``
for anything else: another architecture, biases, grouped queries, scaled RoPE, half precision),
and the engine then runs the model itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class LlamaKernel:
    """The weights of a ``LlamaForCausalLM`` and a forward pass over them.

    Build one with :meth:`of`; decode with :meth:`session`.
    """

    def __init__(self, model: Any) -> None:
        config = model.config
        self.heads = int(config.num_attention_heads)
        self.head_dim = int(getattr(config, "head_dim", None) or config.hidden_size // self.heads)
        self.eps = float(config.rms_norm_eps)
        inner = model.model
        self.embed = inner.embed_tokens.weight
        self.layers = [
            (
                layer.input_layernorm.weight,
                layer.self_attn.q_proj.weight,
                layer.self_attn.k_proj.weight,
                layer.self_attn.v_proj.weight,
                layer.self_attn.o_proj.weight,
                layer.post_attention_layernorm.weight,
                layer.mlp.gate_proj.weight,
                layer.mlp.up_proj.weight,
                layer.mlp.down_proj.weight,
            )
            for layer in inner.layers
        ]
        self.norm = inner.norm.weight
        self.lm_head = model.lm_head.weight
        self.inv_freq = inner.rotary_emb.inv_freq
        self.rope_scaling = float(inner.rotary_emb.attention_scaling)
        self.scale = self.head_dim**-0.5

    @classmethod
    def of(cls, model: Any) -> LlamaKernel | None:
        """The kernel for ``model``, or ``None`` when it is not a network this kernel reproduces."""
        import torch

        config = getattr(model, "config", None)
        if config is None or getattr(config, "model_type", None) != "llama":
            return None
        rope = getattr(config, "rope_parameters", None) or {}
        plain = (
            type(model).__name__ == "LlamaForCausalLM"
            and not getattr(config, "attention_bias", False)
            and not getattr(config, "mlp_bias", False)
            and getattr(config, "hidden_act", None) == "silu"
            and getattr(config, "pretraining_tp", 1) == 1
            and config.num_key_value_heads == config.num_attention_heads
            and rope.get("rope_type", "default") == "default"
            and model.dtype == torch.float32
            and model.device.type == "cpu"
        )
        return cls(model) if plain else None

    def session(self, batch: int, length: int) -> KernelSession:
        """A decoding session for ``batch`` rows of at most ``length`` tokens each."""
        return KernelSession(self, batch, length)

    def _rms(self, x: Any, weight: Any) -> Any:
        import torch

        variance = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(variance + self.eps))

    def _rotate(self, x: Any, cos: Any, sin: Any) -> Any:
        import torch

        half = x.shape[-1] // 2
        return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin

    def forward(
        self,
        ids: Any,
        positions: Any,
        keys: Sequence[tuple[Any, Any]],
        start: int,
        mask: Any,
    ) -> Any:
        """Run ``ids`` (rows × T) at cache columns ``start … start+T-1``; the last column's logits.

        Args:
            ids: Token ids, rows × T.
            positions: Their RoPE positions, rows × T.
            keys: Per layer, the ``(K, V)`` cache tensors (rows × heads × length × head_dim)
                these rows write into and attend over.
            start: The first cache column the tokens take.
            mask: rows × 1 × T × (start + T), True where a query may attend to a key.
        """
        import torch
        from torch.nn.functional import linear, scaled_dot_product_attention, silu

        rows, t = ids.shape
        end = start + t
        x = self.embed[ids]
        freqs = positions[..., None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = (emb.cos() * self.rope_scaling)[:, None]
        sin = (emb.sin() * self.rope_scaling)[:, None]
        for (norm1, wq, wk, wv, wo, norm2, gate, up, down), (k_cache, v_cache) in zip(
            self.layers, keys, strict=True
        ):
            h = self._rms(x, norm1)
            q = linear(h, wq).view(rows, t, self.heads, self.head_dim).transpose(1, 2)
            k = linear(h, wk).view(rows, t, self.heads, self.head_dim).transpose(1, 2)
            v = linear(h, wv).view(rows, t, self.heads, self.head_dim).transpose(1, 2)
            k_cache[:, :, start:end] = self._rotate(k, cos, sin)
            v_cache[:, :, start:end] = v
            attn = scaled_dot_product_attention(
                self._rotate(q, cos, sin),
                k_cache[:, :, :end],
                v_cache[:, :, :end],
                attn_mask=mask,
                scale=self.scale,
            )
            x = x + linear(attn.transpose(1, 2).reshape(rows, t, -1), wo)
            h = self._rms(x, norm2)
            x = x + linear(silu(linear(h, gate)) * linear(h, up), down)
        return linear(self._rms(x[:, -1], self.norm), self.lm_head)


class KernelSession:
    """One batch's decoding state: the preallocated cache and which of its columns hold tokens.

    The cache grows (doubling) when a pass needs more columns than it has, so a generous answer
    budget costs nothing until an answer is that long.

    Args:
        kernel: The network.
        batch: Rows.
        length: Cache columns to start with (the prompt and a typical answer).
    """

    def __init__(self, kernel: LlamaKernel, batch: int, length: int) -> None:
        import torch

        self.kernel = kernel
        shape = (batch, kernel.heads, length, kernel.head_dim)
        self.cache = [(torch.empty(shape), torch.empty(shape)) for _ in kernel.layers]
        self.valid = torch.zeros(batch, length, dtype=torch.bool)
        self.used = 0

    def run(self, ids: Any, positions: Any, valid: Any, rows: int | None = None) -> Any:
        """Append ``ids`` (rows × T, ``valid`` marking real tokens) and return the last logits.

        Each token attends to the valid tokens at or before its column, and always to itself, so
        a padding row stays finite (its output is never read). ``rows`` limits the pass to the
        first rows (the shared prefix runs once, on row 0).
        """
        import torch

        n = ids.shape[0] if rows is None else rows
        start, t = self.used, ids.shape[1]
        end = start + t
        if end > self.valid.shape[1]:
            self._grow(max(end, 2 * self.valid.shape[1]))
        self.valid[:n, start:end] = valid
        keys_at, queries_at = torch.arange(end)[None, :], torch.arange(start, end)[:, None]
        mask = (self.valid[:n, None, :end] & (keys_at <= queries_at)) | (keys_at == queries_at)
        keys = [(k[:n], v[:n]) for k, v in self.cache]
        logits = self.kernel.forward(ids, positions, keys, start, mask[:, None])
        self.used = end
        return logits

    def _grow(self, length: int) -> None:
        """Widen the cache to ``length`` columns, keeping the ones in use."""
        import torch

        def wider(x: Any) -> Any:
            room = x.new_zeros(*x.shape[:2], length - self.used, *x.shape[3:])
            return torch.cat([x[:, :, : self.used], room], dim=2)

        self.cache = [(wider(k), wider(v)) for k, v in self.cache]
        self.valid = wider(self.valid[:, None])[:, 0]

    def share(self, columns: int) -> None:
        """Copy row 0's first ``columns`` cache columns (the shared prefix) to every row."""
        for k, v in self.cache:
            k[1:, :, :columns] = k[:1, :, :columns]
            v[1:, :, :columns] = v[:1, :, :columns]
        self.valid[1:, :columns] = self.valid[:1, :columns]
