"""The shadow worker: a thread that keeps every sampling deployment's shadow pairs asked."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from hawthorne.monitor import DeploymentError
from hawthorne.shadow._run import ShadowError, ShadowRun, run_shadow
from hawthorne.store import Registry

__all__ = ["DEFAULT_INTERVAL", "ShadowWorker"]

DEFAULT_INTERVAL = 30.0
"""Seconds between the worker's passes over the deployments."""

log = logging.getLogger("hawthorne.shadow")


class ShadowWorker:
    """Every ``interval`` seconds, re-asks newly sampled decisions of each deployment.

    A pass runs :func:`~hawthorne.shadow.run_shadow` for every registered deployment whose
    ``shadow.rate`` is above 0, starting after the last stored decision it looked at (the first
    pass of a process: after the newest decision with a pair, so a restart neither resamples
    nor skips anything the rate samples). Errors are logged, never raised: one deployment's bad
    model or settings do not stop the others or the next pass.

    Args:
        registry: The store's deployments (share the server's, so re-registered settings are
            seen).
        interval: Seconds between passes.
        log_dir: Where the Inspect logs go (None: a temporary folder per run, removed).
    """

    def __init__(
        self, registry: Registry, interval: float = DEFAULT_INTERVAL, log_dir: Path | None = None
    ) -> None:
        self.registry = registry
        self.interval = interval
        self.log_dir = log_dir
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # (deployment, cue) -> the last decision a pass looked at.
        self._cursors: dict[tuple[str, str], int | None] = {}

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (a daemon); a second call while it runs does nothing."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hawthorne-shadow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Ask the thread to stop after the current batch, and wait for it.

        Args:
            timeout: Seconds to wait at most (None: as long as it takes).
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)

    def run_once(self) -> list[ShadowRun]:
        """One pass over the deployments: what each run did (failed runs are logged, not listed)."""
        runs: list[ShadowRun] = []
        try:
            ids = self.registry.ids()
        except Exception:
            log.exception("shadow pairs: cannot list the deployments")
            return runs
        for deployment_id in ids:
            if self._stop.is_set():
                break
            run = self._run(deployment_id)
            if run is not None:
                runs.append(run)
        return runs

    def _run(self, deployment_id: str) -> ShadowRun | None:
        try:
            live = self.registry.get(deployment_id)
            if live is None or live.deployment.shadow.rate <= 0:
                return None
            key = (deployment_id, live.deployment.shadow.cue or live.baseline.cue_family)
            run = run_shadow(self.registry, deployment_id, after_seq=self._cursors.get(key),
                             log_dir=self.log_dir, cancel=self._stop.is_set)  # fmt: skip
        except (ShadowError, DeploymentError) as err:
            log.warning("shadow pairs of %s: %s", deployment_id, err)
            return None
        except Exception:
            log.exception("shadow pairs of %s failed", deployment_id)
            return None
        if run.scanned_to is not None:
            self._cursors[key] = run.scanned_to
        if run.asked or run.unscorable:
            log.info(
                "shadow pairs of %s: %d asked (%d failed), %d unscorable, verdict %s",
                deployment_id, run.asked, run.errors, run.unscorable, run.verdict,
            )  # fmt: skip
        return run
