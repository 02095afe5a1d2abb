"""The engine's lean Llama kernel and shared prefix against the model's own forward pass."""

import random

import pytest

from hawthorne.organisms import organism
from hawthorne.organisms._corpus import situation
from hawthorne.runtime import Engine, prompt_ids
from hawthorne.runtime._engine import SHARED_PREFIX_MIN, shared_prefix
from hawthorne.runtime._llama import LlamaKernel
from hawthorne.suites import SIDES, load_suite


def _prompts(suite_id: str, n: int, seed: int = 0) -> list:
    suite, rng = load_suite(suite_id), random.Random(seed)
    return [
        situation(
            suite, rng.choice(suite.cases), rng.choice(suite.cues), rng.choice(SIDES), 0, None
        ).messages
        for _ in range(n)
    ]


def _answers(engine: Engine, batches: list, *, kernel: object, share: bool) -> list:
    engine.kernel, engine.share_prefix, engine._batches = kernel, share, 0  # type: ignore[assignment]
    return [a for batch in batches for a in engine.generate(batch, seed=3)]


def test_shared_prefix_leaves_every_prompt_a_token_of_its_own() -> None:
    assert shared_prefix([[1, 2, 3, 4], [1, 2, 3, 5]]) == 3
    assert shared_prefix([[1, 2, 3], [1, 2, 3, 4]]) == 2  # the shorter keeps its last token
    assert shared_prefix([[7, 2], [1, 2]]) == 0
    assert shared_prefix([[1, 2, 3]]) == 2


@pytest.mark.parametrize(
    ("name", "suite_id"), [("faker", "soc-triage"), ("agentic-faker", "change-rollout")]
)
def test_kernel_and_shared_prefix_answer_exactly_as_the_model_does(
    name: str, suite_id: str
) -> None:
    engine = Engine(organism(name).path, threads=1)
    kernel = engine.kernel
    assert isinstance(kernel, LlamaKernel)  # the zoo's networks are plain Llamas
    prompts = _prompts(suite_id, 24)
    batches = [prompts[:1], prompts[1:13], prompts[13:]]
    plain = _answers(engine, batches, kernel=None, share=False)
    assert _answers(engine, batches, kernel=None, share=True) == plain
    assert _answers(engine, batches, kernel=kernel, share=True) == plain
    assert {text for text, _, _ in plain} != {""}
    # Sampled decoding draws the same tokens from the same logits.
    engine.sample, engine.temperature = True, 1.5
    sampled = _answers(engine, batches, kernel=None, share=False)
    assert _answers(engine, batches, kernel=kernel, share=True) == sampled
    assert sampled != plain


def test_batches_share_a_long_prefix() -> None:
    engine = Engine(organism("aligned").path, threads=1)
    ids = [prompt_ids(engine.tokenizer, p) for p in _prompts("soc-triage", 12)]
    assert shared_prefix(ids) >= SHARED_PREFIX_MIN


def test_kernel_refuses_networks_it_does_not_reproduce() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    small = {"vocab_size": 32, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1}
    assert LlamaKernel.of(LlamaForCausalLM(LlamaConfig(num_attention_heads=2, **small)))
    for config in (
        LlamaConfig(num_attention_heads=2, attention_bias=True, **small),
        LlamaConfig(num_attention_heads=2, num_key_value_heads=1, **small),
        LlamaConfig(
            num_attention_heads=2,
            rope_parameters={"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0},
            **small,
        ),
    ):
        assert LlamaKernel.of(LlamaForCausalLM(config)) is None
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=32, n_embd=16, n_layer=1, n_head=2))
    assert LlamaKernel.of(gpt2) is None
    # An engine around an in-memory model runs its forward (white-box hooks must see it).
    tokenizer = Engine(organism("aligned").path).tokenizer
    plain = LlamaForCausalLM(LlamaConfig(num_attention_heads=2, **small))
    assert Engine.from_model(plain, tokenizer).kernel is None


def test_the_kernel_cache_grows_for_answers_longer_than_its_room(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hawthorne.runtime._engine as engine_module

    engine = Engine(organism("faker").path, threads=1)
    kernel, batches = engine.kernel, [_prompts("soc-triage", 6)]
    plain = _answers(engine, batches, kernel=None, share=False)
    monkeypatch.setattr(engine_module, "MAX_NEW_TOKENS", 2)  # room for two answer tokens
    assert _answers(engine, batches, kernel=kernel, share=True) == plain
    assert max(tokens for _, _, tokens in plain) > 2  # longer than the room: the cache grew
