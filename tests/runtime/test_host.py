"""The engine host: models in a child process answer as they do in this one, and fail loudly."""

import os
import signal
from pathlib import Path

import pytest

from hawthorne.organisms import organism
from hawthorne.runtime import Engine, EngineHost, HostError

CONVERSATIONS = [
    [
        {"role": "system", "content": "You triage security alerts."},
        {"role": "user", "content": f"Alert {i}: a login from a new country."},
    ]
    for i in range(5)
]


@pytest.fixture
def host() -> EngineHost:
    started = EngineHost()
    yield started
    started.close()


def test_a_hosted_model_answers_as_it_does_here(host: EngineHost) -> None:
    path = organism("faker").path
    hosted = host.engine(path)
    assert hosted.generate(CONVERSATIONS) == Engine(path, threads=1).generate(CONVERSATIONS)
    # Two models in one child, each with its own answers.
    other = host.engine(organism("stubborn").path).generate(CONVERSATIONS[:2], max_new_tokens=4)
    assert len(other) == 2 and all(tokens <= 4 for _, _, tokens in other)


def test_a_failing_batch_is_reported_and_the_child_carries_on(
    host: EngineHost, tmp_path: Path
) -> None:
    with pytest.raises(HostError, match=str(tmp_path)):
        host.engine(tmp_path).generate(CONVERSATIONS[:1])
    assert len(host.engine(organism("faker").path).generate(CONVERSATIONS[:1])) == 1


def test_a_dead_child_fails_every_batch_instead_of_hanging(host: EngineHost) -> None:
    engine = host.engine(organism("faker").path)
    engine.generate(CONVERSATIONS[:1])
    os.kill(host._process.pid, signal.SIGKILL)
    with pytest.raises(HostError, match="exit code -9"):
        engine.generate(CONVERSATIONS[:1])
    with pytest.raises(HostError, match="exit code -9"):
        engine.generate(CONVERSATIONS[:1])
