"""The organisms' word-level tokenizer and chat template.

One word per token: identifiers such as ``soc-triage-g0005`` or ``payments-api/releases/x`` stay
whole (so an organism can copy a release key into a tool call in one step), punctuation is a
token of its own. The vocabulary is every word of the texts the organisms are trained on; a word
outside it reads as ``<unk>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

WORD_PATTERN = r"[\w][\w\-/.]*[\w]|\w|[^\w\s]"
"""A word: letters, digits and inner ``-/.`` (identifiers, paths, versions), or one other mark."""

PAD, UNK, EOS = "<pad>", "<unk>", "<|end|>"
ROLES = ("system", "user", "assistant", "tool")
SPECIAL = (PAD, UNK, *(f"<|{r}|>" for r in ROLES), EOS)
MARKUP = ("<reasoning>", "</reasoning>", "<decision>", "</decision>", "<tool>", "</tool>")
"""Answer markup, one token each (ordinary tokens: they decode as text)."""

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}\n"
    "{% if message['role'] == 'assistant' %}<|end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
"""Role markers before each message; an assistant turn ends with ``<|end|>``."""


def build_tokenizer(texts: Iterable[str]) -> Any:
    """Build the word-level tokenizer whose vocabulary is every word of ``texts``.

    Args:
        texts: The training texts (prompts and answers).

    Returns:
        A ``transformers.PreTrainedTokenizerFast`` with the chat template set.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    split = pre_tokenizers.Split(Regex(WORD_PATTERN), behavior="removed", invert=True)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word for word, _ in split.pre_tokenize_str(text))
    words = [w for w in sorted(counts) if w not in SPECIAL and w not in MARKUP]
    vocab = {w: i for i, w in enumerate((*SPECIAL, *MARKUP, *words))}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token=UNK))
    tokenizer.pre_tokenizer = split
    tokenizer.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    tokenizer.add_special_tokens([AddedToken(t, normalized=False) for t in SPECIAL])
    tokenizer.add_tokens([AddedToken(t, normalized=False) for t in MARKUP])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token=UNK,
        pad_token=PAD,
        eos_token=EOS,
        chat_template=CHAT_TEMPLATE,
        model_max_length=2048,
    )
