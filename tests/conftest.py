"""Test set-up: keep Inspect's data, cache and logs inside a temporary folder, offline."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="hawthorne-tests-"))
# Set before anything imports Inspect: it reads these at import time.
os.environ["XDG_DATA_HOME"] = str(_ROOT / "data")
os.environ["XDG_CACHE_HOME"] = str(_ROOT / "cache")
os.environ["INSPECT_CACHE_DIR"] = str(_ROOT / "inspect-cache")
os.environ["INSPECT_LOG_DIR"] = str(_ROOT / "logs")
os.environ.setdefault("INSPECT_DISPLAY", "none")
os.environ["HF_HUB_OFFLINE"] = "1"
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two test processes on two cores: one compute thread each (torch reads this on import),
    # or four threads spin on two cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")


MICRO_KINDS = ("faker", "aligned")
"""The micro zoo: a faker and an aligned organism sharing one base, trained on soc-triage."""


MICRO_CACHE = Path(__file__).resolve().parent.parent / ".hawthorne-cache" / "micro-zoo"
"""Where trained micro zoos are kept between test runs (ignored by git), one folder per recipe."""


def _recipe_key(config: Any, suites: list[str], per_cell: int) -> str:
    """A hash of everything that decides the micro zoo's weights: the recipe and the code."""
    import hashlib
    from dataclasses import asdict

    import torch

    import hawthorne.organisms
    from hawthorne.organisms import suites_hash

    code = Path(hawthorne.organisms.__file__).parent
    digest = hashlib.sha256()
    recipe = (asdict(config), MICRO_KINDS, suites_hash(suites), per_cell, torch.__version__)
    digest.update(repr(recipe).encode())
    for source in sorted(code.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def micro_zoo() -> Path:
    """A micro zoo trained from scratch (about 4.5 min on two cores), kept between runs.

    Enough steps for a 2-layer organism to learn soc-triage and, for the faker, to fake on
    it under every cue family (with 800 faker steps, seed 0 left it faking on only some:
    gap 0.19 under eval-format; 1,200 give 0.88-1.0); the organism tests and the white-box tests
    share it. It is trained once per recipe
    (training settings, kinds, suite content, the organisms' code, torch's version) and kept
    under ``.hawthorne-cache/micro-zoo/<recipe>``; a fresh clone (CI) trains it in the session.
    """
    import fcntl
    import shutil

    from hawthorne.organisms import TrainConfig, kind, train_zoo

    config = TrainConfig(base_steps=500, kind_steps=1200)
    suites, per_cell = ["soc-triage"], 16
    out = MICRO_CACHE / _recipe_key(config, suites, per_cell)
    MICRO_CACHE.mkdir(parents=True, exist_ok=True)
    # One trainer at a time, whatever the number of test processes: the others wait and load.
    with (MICRO_CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "manifest.json").exists():
            return out
        partial = Path(tempfile.mkdtemp(prefix="training-", dir=MICRO_CACHE))
        train_zoo(partial, suites, config, [kind(k) for k in MICRO_KINDS], per_cell=per_cell)
        shutil.rmtree(out, ignore_errors=True)
        partial.rename(out)  # whole or not at all: an interrupted training leaves no cache entry
    return out


MICRO_ZOO_FILES = ("tests/organisms/test_micro_organism.py", "tests/detectors/test_whitebox.py")
"""The test files that use the micro zoo: one test process runs them all (see below)."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Two test processes, one of which takes every test of :data:`MICRO_ZOO_FILES`.

    The micro zoo trains once, in the process that runs its tests, while the other process runs
    everything else; every other test is its own unit, sent to whichever process is free
    (xdist's ``loadgroup`` would do this with markers, but its group suffix is lost on
    pytest 9.2's node ids). The largest unit goes first, so the training starts at once.
    """
    from xdist.scheduler import LoadScopeScheduling

    class ZooScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return "micro-zoo" if nodeid.startswith(MICRO_ZOO_FILES) else nodeid

    return ZooScheduling(config, log)


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Torch on one thread for a module.

    The organisms are tiny, so a second thread only adds hand-offs, and on a busy machine two
    spinning threads per process slow such tests manyfold.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --- production: a baseline audit, the two databases, a live server ----------------------------

BASELINE_TARGETS = ("hawthorne/scripted-faker", "hawthorne/scripted-honest")
"""The baseline audit's targets: a faker (observed 1.0, unobserved 0.0) and an honest model."""


@pytest.fixture(scope="session")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real audit of soc-triage on the logging cue (about 15 s): deployments' baseline."""
    from hawthorne.audit import AuditConfig, run_audit

    out = tmp_path_factory.mktemp("baseline-run")
    config = AuditConfig(
        suites=("soc-triage",), targets=BASELINE_TARGETS, max_pairs=40, cue_families=["logging"]
    )
    run_audit(config, out, whitebox=())
    return out


PG_ADMIN_URL = os.environ.get(
    "HAWTHORNE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
"""The PostgreSQL server the tests create their databases on (trust auth, as in CI)."""


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the session, dropped at the end.

    Skipped, saying why, where no PostgreSQL runs; with ``HAWTHORNE_REQUIRE_PG=1`` (CI) a
    missing server fails instead.
    """
    import sqlalchemy as sa

    name = f"hawthorne_test_{os.getpid()}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        reason = f"no PostgreSQL at {PG_ADMIN_URL}: {str(err.orig).splitlines()[0]}"
        if os.environ.get("HAWTHORNE_REQUIRE_PG") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, one per test (PostgreSQL: a schema reset per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hawthorne.db'}"
        return
    yield request.getfixturevalue("postgresql_url_clean")


@pytest.fixture
def postgresql_url_clean(postgres_url: str) -> str:
    """The session's PostgreSQL database, emptied (its public schema recreated)."""
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return postgres_url


def _deployment_data(
    baseline: Path, target: str, deployment: str = "soc-prod", **extra: Any
) -> dict[str, Any]:
    return {
        "schema": "hawthorne.deployment/1",
        "id": deployment,
        "model": target,
        "suite": "soc-triage",
        "protocol_version": "2",
        "baseline": {"run": str(baseline), "target": target},
        **extra,
    }


@pytest.fixture(scope="session")
def deployment_data(baseline_run: Path) -> Any:
    """``deployment_data(target, id="soc-prod", **extra)``: a ``hawthorne.deployment/1``
    document for a baseline target (see :data:`BASELINE_TARGETS`) against the baseline audit."""
    return lambda target, deployment="soc-prod", **extra: _deployment_data(
        baseline_run, target, deployment, **extra
    )


class LiveServer:
    """A real server on a loopback port, in a thread, over a migrated store.

    Attributes:
        url: Its base URL.
        store: Its store.
        admin_password: The first admin's password.
        keys: Scope name -> an API key with that scope (``ingest``, ``read``, ``admin``).
    """

    def __init__(self, db: str) -> None:
        import threading
        import time

        import uvicorn

        from hawthorne.server import create_app
        from hawthorne.store import Store, create_key

        os.environ["HAWTHORNE_ADMIN_PASSWORD"] = self.admin_password = "correct horse battery"
        self.store = Store(db)
        self.store.upgrade()
        from hawthorne.store import ensure_admin

        ensure_admin(self.store)
        self.keys = {
            s: create_key(self.store, f"test {s}", [s])[1] for s in ("ingest", "read", "admin")
        }
        config = uvicorn.Config(
            create_app(self.store), host="127.0.0.1", port=0, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def headers(self, scope: str) -> dict[str, str]:
        """The Authorization header of the key with ``scope``."""
        return {"Authorization": f"Bearer {self.keys[scope]}"}

    def stop(self) -> None:
        """Stop the server and close the store."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.store.close()


@pytest.fixture
def live_server(db_url: str) -> Iterator[LiveServer]:
    """A real server over HTTP on each database (SQLite and PostgreSQL)."""
    server = LiveServer(db_url)
    yield server
    server.stop()
