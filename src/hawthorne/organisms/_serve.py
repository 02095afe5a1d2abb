"""Serve zoo organisms over the OpenAI-compatible API, with requests batched per organism."""

from __future__ import annotations

from collections.abc import Sequence

from hawthorne.organisms._batcher import organism_batcher
from hawthorne.organisms._server import ChatServer, Message


def serve_organisms(names: Sequence[str], port: int = 0) -> ChatServer:
    """A (not yet started) loopback server answering as the named organisms.

    Each organism is loaded up front, so a bad name fails here and not on the first request.
    Concurrent requests to one organism are decoded together in batches.

    Args:
        names: Organism names in the zoo in use.
        port: Port on 127.0.0.1 (0 picks a free one).

    Returns:
        The server; use it as a context manager.

    Raises:
        ZooError: When the zoo has no such organism.
    """
    batchers = {name: organism_batcher(name) for name in names}

    def answer(model: str, messages: Sequence[Message]) -> str:
        text, _, _ = batchers[model].submit(list(messages)).result()
        return text

    return ChatServer(list(names), answer, port=port)
