"""The store: an engine on SQLite (WAL, the embedded default) or PostgreSQL (psycopg 3).

:class:`Store` opens the database, migrates it with Alembic (:meth:`Store.upgrade`, also what
``hawthorne db upgrade`` runs) and hands out sessions. Writes go through :meth:`Store.write`,
which on SQLite takes the write lock when the transaction begins (``BEGIN IMMEDIATE``), so two
writers never deadlock on a lock upgrade; on PostgreSQL the ingest path takes an advisory lock
per deployment instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Store", "StoreError", "default_url", "resolve_url"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(RuntimeError):
    """The database cannot be opened, reached or migrated; the message says which and why."""


def default_url() -> str:
    """The embedded default: ``HAWTHORNE_DB``, else SQLite in the user data directory."""
    if url := os.environ.get("HAWTHORNE_DB"):
        return url
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'hawthorne' / 'hawthorne.db'}"


def resolve_url(url: str | None) -> str:
    """A database URL as SQLAlchemy takes it (``postgresql://`` means psycopg 3).

    Raises:
        StoreError: The URL is not one, or names a database other than SQLite or PostgreSQL.
    """
    url = url or default_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r} (e.g. sqlite:///path.db or "
            "postgresql+psycopg://user@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return parsed.render_as_string(hide_password=False)


def _sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        # The driver's own transaction handling is off; the "begin" hook below issues BEGIN.
        dbapi.isolation_level = None
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before it returns (the ingest path acknowledges after it).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("hawthorne_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """A database holding deployments, decisions, stream states, findings, accounts and keys.

    Args:
        url: A SQLAlchemy URL (None: :func:`default_url`); SQLite files' folders are created.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                self.url, connect_args={"check_same_thread": False, "timeout": 30}
            )
            _sqlite(self.engine)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=8)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            self.engine.execution_options(hawthorne_write=True), expire_on_commit=False
        )

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    def _alembic(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def head(self) -> str:
        """The newest migration's revision."""
        head = ScriptDirectory.from_config(self._alembic()).get_current_head()
        assert head is not None
        return head

    def revision(self) -> str | None:
        """The revision the database is at (None: never migrated)."""
        with self._reach(), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self, revision: str = "head") -> str | None:
        """Migrate the database to ``revision`` (idempotent).

        Returns:
            The revision it is at afterwards.

        Raises:
            StoreError: The database cannot be reached or migrated.
        """
        config = self._alembic()
        with self._reach(), self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        return self.revision()

    @contextmanager
    def _reach(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as err:
            shown = make_url(self.url).render_as_string(hide_password=True)
            reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
            raise StoreError(f"cannot reach the database {shown}: {reason}") from None

    def session(self) -> Session:
        """A session for reading (and for writes that need no lock taken up front)."""
        return self._sessions()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed on leaving (rolled back on error)."""
        with self._writes() as session, session.begin():
            yield session

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
