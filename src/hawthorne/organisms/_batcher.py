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
from dataclasses import dataclass

from hawthorne.organisms._zoo import organism
from hawthorne.runtime import MAX_NEW_TOKENS, Engine, HostedEngine, Message, engine_host

Answer = tuple[str, int, int]


@dataclass(frozen=True)
class Decoding:
    """How one request wants its answer decoded; a batch decodes requests that agree.

    Attributes:
        max_new_tokens: Longest answer.
        temperature: 0 greedy, above 0 sampled; None: as the model's generation config says.
        seed: Sampling seed (None: the batcher's).
    """

    max_new_tokens: int = MAX_NEW_TOKENS
    temperature: float | None = None
    seed: int | None = None


_Request = tuple[Sequence[Message], Decoding, "Future[Answer]"]


class Batcher:
    """A worker thread that answers conversations in batches.

    Requests that arrive together are decoded together, in one batch per distinct
    :class:`Decoding` (in the order each first arrived).

    Args:
        engine: The model to run.
        max_batch: Largest batch.
        wait: Seconds to wait for more requests once the first has arrived.
        seed: Sampling seed passed to the engine when a request names none.
    """

    def __init__(
        self, engine: Engine | HostedEngine, max_batch: int = 64, wait: float = 0.01, seed: int = 0
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.wait = wait
        self.seed = seed
        self.batch_sizes: list[int] = []
        self._queue: queue.Queue[_Request] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="hawthorne-batcher", daemon=True)
        self._thread.start()

    def submit(
        self, messages: Sequence[Message], decoding: Decoding = Decoding()
    ) -> Future[Answer]:
        """Queue one conversation; the future resolves to ``(text, prompt tokens, tokens)``."""
        future: Future[Answer] = Future()
        self._queue.put((messages, decoding, future))
        return future

    def _work(self) -> None:
        while True:
            arrived = [self._queue.get()]
            deadline = time.monotonic() + self.wait
            while len(arrived) < self.max_batch:
                remaining = deadline - time.monotonic()
                try:
                    arrived.append(self._queue.get(timeout=max(remaining, 0.0)))
                except queue.Empty:
                    if remaining <= 0:
                        break
            batches: dict[Decoding, list[_Request]] = {}
            for request in arrived:
                batches.setdefault(request[1], []).append(request)
            for decoding, batch in batches.items():
                self._answer(decoding, batch)

    def _answer(self, decoding: Decoding, batch: list[_Request]) -> None:
        self.batch_sizes.append(len(batch))
        try:
            answers = self.engine.generate(
                [m for m, _, _ in batch],
                decoding.max_new_tokens,
                seed=self.seed if decoding.seed is None else decoding.seed,
                temperature=decoding.temperature,
            )
        except Exception as err:  # every waiting request learns of the failure
            for _, _, future in batch:
                future.set_exception(err)
            return
        for (_, _, future), answer in zip(batch, answers, strict=True):
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
