"""Cross products of field values, sampled reproducibly, and template rendering."""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Mapping, Sequence

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "combination",
    "combination_count",
    "compiled",
    "environment",
    "index_of",
    "line_of_name",
    "render",
    "sample_indices",
]


def environment() -> SandboxedEnvironment:
    """The Jinja environment for case templates.

    Sandboxed because suite files come from users; strict so that a field a case lacks is an
    error, not an empty string in the prompt.
    """
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@functools.lru_cache(maxsize=512)
def compiled(source: str) -> Template:
    """A template compiled in :func:`environment`, cached by its source.

    Stressor variants are rendered once per sample; compiling each time would dominate.
    """
    return environment().from_string(source)


def line_of_name(template: str, name: str) -> int:
    """The 1-based line of ``template`` where the variable ``name`` first appears (else 1)."""
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for number, text in enumerate(template.splitlines(), start=1):
        if pattern.search(text):
            return number
    return 1


def combination_count(fields: Mapping[str, Sequence[str]]) -> int:
    """Size of the cross product of the field values."""
    return math.prod(len(values) for values in fields.values())


def combination(fields: Mapping[str, Sequence[str]], index: int) -> dict[str, str]:
    """The ``index``-th combination in :func:`itertools.product` order (last field fastest).

    Decoding the index directly keeps an id meaning the same fields whatever is sampled,
    without materialising the whole product.
    """
    out: dict[str, str] = {}
    for name, values in reversed(list(fields.items())):
        index, digit = divmod(index, len(values))
        out[name] = values[digit]
    return {name: out[name] for name in fields}


def index_of(fields: Mapping[str, Sequence[str]], chosen: Mapping[str, str]) -> int:
    """Inverse of :func:`combination`; fields missing from ``chosen`` take their first value."""
    index = 0
    for name, values in fields.items():
        index = index * len(values) + (values.index(chosen[name]) if name in chosen else 0)
    return index


def sample_indices(total: int, n: int, seed: int) -> list[int]:
    """``n`` distinct indices out of ``range(total)``, reproducible for a seed, in order."""
    if n >= total:
        return list(range(total))
    return sorted(random.Random(seed).sample(range(total), n))


def render(template: Template, fields: Mapping[str, str], case_id: str) -> str:
    """Render one case's text, stripped of surrounding blank space."""
    return template.render({**fields, "case_id": case_id}).strip()
