"""Gather concurrent requests into batches for one engine.

Inspect sends many requests at once (one per sample in flight) and the OpenAI-compatible server
answers each HTTP request on its own thread; both hand their conversation to a ``Batcher``,
whose worker thread takes whatever has arrived (waiting a few milliseconds for more, up to the
batch size) and decodes it as one batch.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from hawthorne.organisms._zoo import organism
from hawthorne.runtime import Engine, HostedEngine, Message, engine_host

Answer = tuple[str, int, int]


class Batcher:
    """A worker thread that answers conversations in batches.

    Args:
        engine: The model to run.
        max_batch: Largest batch.
        wait: Seconds to wait for more requests once the first has arrived.
        seed: Sampling seed passed to the engine.
    """

    def __init__(
        self, engine: Engine | HostedEngine, max_batch: int = 64, wait: float = 0.01, seed: int = 0
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.wait = wait
        self.seed = seed
        self.batch_sizes: list[int] = []
        self._queue: queue.Queue[tuple[Sequence[Message], Future[Answer]]] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="hawthorne-batcher", daemon=True)
        self._thread.start()

    def submit(self, messages: Sequence[Message]) -> Future[Answer]:
        """Queue one conversation; the future resolves to ``(text, prompt tokens, tokens)``."""
        future: Future[Answer] = Future()
        self._queue.put((messages, future))
        return future

    def _work(self) -> None:
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self.wait
            while len(batch) < self.max_batch:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=max(remaining, 0.0)))
                except queue.Empty:
                    if remaining <= 0:
                        break
            self.batch_sizes.append(len(batch))
            try:
                answers = self.engine.generate([m for m, _ in batch], seed=self.seed)
            except Exception as err:  # every waiting request learns of the failure
                for _, future in batch:
                    future.set_exception(err)
                continue
            for (_, future), answer in zip(batch, answers, strict=True):
                future.set_result(answer)


_LOCK = threading.Lock()


@functools.cache
def _batcher_at(path: str) -> Batcher:
    # In the engine host's child process, with one torch thread: the caller (Inspect's event
    # loop) keeps one core busy, the child's engines the other; torch's intra-op workers on top
    # of that oversubscribe them (their spin-waits made a batch of 64 ten times slower on two
    # busy cores).
    return Batcher(engine_host().engine(path))


def organism_batcher(name: str) -> Batcher:
    """The process-wide batcher of a zoo organism (loaded on first use).

    Raises:
        ZooError: When the zoo has no such organism.
    """
    path = str(organism(name).path)
    with _LOCK:
        return _batcher_at(path)
