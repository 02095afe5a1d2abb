"""Engines in a child process, so that decoding does not share the caller's GIL.

An audit of the zoo runs Inspect's event loop (serial Python: every sample's transcript, log
and scores) beside nine small networks whose decoding is mostly Python too. In one process they
take turns on one GIL and leave the second core idle; with the engines in a child process each
side has a core. :class:`EngineHost` starts that child (``spawn``: nothing of the caller's
state is forked), loads each model there on its first batch, and answers batches in the order
they arrive. :meth:`EngineHost.engine` returns a :class:`HostedEngine`, which answers like an
:class:`~hawthorne.runtime.Engine`.

If the child dies, every waiting batch and every later one fails with :class:`HostError`
naming its exit code; nothing hangs.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from hawthorne.runtime._engine import MAX_NEW_TOKENS, Engine, Message

Answer = tuple[str, int, int]


class HostError(RuntimeError):
    """The engine process failed a batch, or is gone."""


class HostedEngine:
    """A model loaded in the host's child process; answers like :meth:`Engine.generate`."""

    def __init__(self, host: EngineHost, path: Path) -> None:
        self.host = host
        self.path = path

    def generate(
        self,
        conversations: Sequence[Sequence[Message]],
        max_new_tokens: int = MAX_NEW_TOKENS,
        seed: int = 0,
        temperature: float | None = None,
    ) -> list[Answer]:
        """Answer conversations in one batch, in the child process (see :meth:`Engine.generate`).

        Raises:
            HostError: The model failed in the child (the message names the error), or the
                child is gone.
        """
        return self.host.submit(
            self.path, conversations, max_new_tokens, seed, temperature
        ).result()


class EngineHost:
    """A child process holding engines, fed batches over a pipe.

    Args:
        threads: Torch threads per engine in the child.
    """

    def __init__(self, threads: int = 1) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, threads), name="hawthorne-engines", daemon=True
        )
        self._process.start()
        child.close()
        self._ids = itertools.count()
        self._pending: dict[int, Future[list[Answer]]] = {}
        self._lock = threading.Lock()  # guards _pending and _gone
        self._send = threading.Lock()  # one message on the pipe at a time
        self._gone: str | None = None
        threading.Thread(target=self._read, name="hawthorne-engines-reader", daemon=True).start()

    def engine(self, path: str | Path) -> HostedEngine:
        """The model at ``path``, loaded in the child on its first batch."""
        return HostedEngine(self, Path(path))

    def submit(
        self,
        path: Path,
        conversations: Sequence[Sequence[Message]],
        max_new_tokens: int,
        seed: int,
        temperature: float | None = None,
    ) -> Future[list[Answer]]:
        """Queue one batch; the future resolves to the answers, in order."""
        future: Future[list[Answer]] = Future()
        with self._lock:
            if self._gone is not None:
                future.set_exception(HostError(self._gone))
                return future
            key = next(self._ids)
            self._pending[key] = future
        message = (
            key,
            str(path),
            [list(c) for c in conversations],
            max_new_tokens,
            seed,
            temperature,
        )
        try:
            # Not under _lock: a full pipe waits for the child, which may wait for the reader.
            with self._send:
                self._conn.send(message)
        except OSError:
            with self._lock:  # whoever takes the key from _pending settles the future
                mine = self._pending.pop(key, None) is not None
            if mine:
                future.set_exception(HostError(self._exit_message()))
        return future

    def close(self) -> None:
        """Stop the child (waiting batches fail)."""
        try:
            with self._send:
                self._conn.send(None)
        except OSError:
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()

    def _exit_message(self) -> str:
        self._process.join(timeout=1)
        return f"the engine process exited (exit code {self._process.exitcode})"

    def _read(self) -> None:
        while True:
            try:
                key, answers, error = self._conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._pending.pop(key, None)
            if future is None:
                continue
            if error is None:
                future.set_result([tuple(a) for a in answers])
            else:
                future.set_exception(HostError(error))
        with self._lock:
            self._gone = self._exit_message()
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(HostError(self._gone))


@functools.cache
def engine_host() -> EngineHost:
    """The process-wide engine host, started on first use."""
    return EngineHost()


def _serve(conn: Any, threads: int) -> None:
    """The child: answer batches until told to stop (``None``) or the pipe closes.

    A batch is ``(key, path, conversations, max_new_tokens, seed, temperature)``. Runs in a
    fresh interpreter; a batch's failure goes back to its caller as text and the child carries
    on.
    """
    from transformers.utils import logging

    logging.disable_progress_bar()
    engines: dict[str, Engine] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, path, conversations, max_new_tokens, seed, temperature = message
        reply: tuple[int, list[Answer] | None, str | None]
        try:
            if path not in engines:
                engines[path] = Engine(path, threads=threads)
            answers = engines[path].generate(conversations, max_new_tokens, seed, temperature)
            reply = (key, answers, None)
        except Exception as err:  # noqa: BLE001 - any failure goes back to the caller
            reply = (key, None, f"{path}: {type(err).__name__}: {err}")
        conn.send(reply)
