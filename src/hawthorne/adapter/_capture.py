"""The finished samples of a look, kept as Inspect logs them, so a look need not re-read its log.

:func:`run_looks` needs every finished sample of the eval it just ran. Reading them back from
the ``.eval`` file costs a decompression and a validation of every sample (about 8 of the demo
audit's 90 seconds). Inspect hands each sample to its hooks as it writes it to the log
(``on_sample_end``, the same ``EvalSample`` object, condensed as in the file), so a hook that
keeps them while a look runs gives the same samples for free. The hook is enabled only while
some look is capturing; it keeps nothing otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from inspect_ai.hooks import Hooks, SampleEnd, hooks


class _Samples:
    """Finished samples by eval id, while at least one look captures."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.capturing = 0
        self.by_eval: dict[str, list[Any]] = {}


_SAMPLES = _Samples()


@hooks(name="hawthorne_finished_samples", description="Hands a look its finished samples.")
class FinishedSamples(Hooks):
    """Keeps each finished sample while a look captures (see the module docstring)."""

    def enabled(self) -> bool:
        """On only while a look captures."""
        return _SAMPLES.capturing > 0

    async def on_sample_end(self, data: SampleEnd) -> None:
        """Keep the sample under its eval's id."""
        with _SAMPLES.lock:
            if _SAMPLES.capturing:
                _SAMPLES.by_eval.setdefault(data.eval_id, []).append(data.sample)


@contextmanager
def capture() -> Iterator[Callable[[str], list[Any]]]:
    """Capture finished samples while the block runs; yields ``take(eval_id)``.

    ``take`` returns (and forgets) the samples of one eval so far, by the id of a log that
    ``eval`` returned. When the last capturing block ends, whatever is left is dropped.
    """

    def take(eval_id: str) -> list[Any]:
        with _SAMPLES.lock:
            return _SAMPLES.by_eval.pop(eval_id, [])

    with _SAMPLES.lock:
        _SAMPLES.capturing += 1
    try:
        yield take
    finally:
        with _SAMPLES.lock:
            _SAMPLES.capturing -= 1
            if not _SAMPLES.capturing:
                _SAMPLES.by_eval.clear()
