"""The client: decisions batched and sent from a background thread, retried with the same ids.

:meth:`Client.record` validates a decision locally, gives it an id and a time, and appends it to
a bounded buffer; a daemon thread sends the buffer in batches (``POST /api/v1/decisions``) every
``flush_interval`` seconds or as soon as ``batch_size`` decisions wait. A batch stays in the
buffer until the server has answered for it, so a failed attempt resends the very same items:
their ids make the resend harmless (the server answers 200, duplicate). Connection errors, 429,
503 and other 5xx answers are retried with exponential backoff and jitter, honouring
``Retry-After``; 401/403 stop the sender (:class:`AuthError`); items the server refuses one by
one (400, 404) are kept in :attr:`Client.rejected` and logged, never retried.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import random
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from time import monotonic
from types import TracebackType
from typing import Any

import httpx
from pydantic import ValidationError

from hawthorne._version import __version__
from hawthorne.monitor import DecisionIn, describe_error

__all__ = ["AuthError", "BufferFull", "Client", "ServerError"]

DEFAULT_URL = "http://127.0.0.1:8765"
"""The server a client talks to when neither ``url`` nor ``HAWTHORNE_SERVER`` says otherwise."""
MAX_BATCH = 10_000
"""The most decisions the server takes in one request."""
MAX_REJECTED = 1_000
"""How many refused items :attr:`Client.rejected` keeps (the newest)."""
MAX_BACKOFF = 30.0
"""The longest pause between two attempts, in seconds (``Retry-After`` may ask for up to 60)."""
_MAX_RETRY_AFTER = 60.0
_DECISIONS = "/api/v1/decisions"
_SHOWN = 3

logger = logging.getLogger("hawthorne.client")


class ServerError(Exception):
    """The server refused a call, answered with an error, or could not be reached.

    Attributes:
        status: The HTTP status, or None when no answer came (the server could not be reached).
        detail: The server's ``detail``, or what went wrong on the way.
    """

    def __init__(self, status: int | None, detail: str) -> None:
        self.status, self.detail = status, detail
        super().__init__(detail if status is None else f"{detail} ({status})")


class AuthError(ServerError):
    """The server rejected the credentials (401) or they lack the scope a call needs (403).

    Sending stops: the background thread retries nothing after it, and :meth:`Client.record`
    and :meth:`Client.flush` raise it.
    """


class BufferFull(Exception):
    """The buffer stayed full for ``max_block`` seconds: the decision was not recorded.

    The server is slow or unreachable; nothing already buffered has been dropped.
    """


def resolve_url(url: str | None) -> str:
    """The server's base URL: ``url``, else ``HAWTHORNE_SERVER``, else :data:`DEFAULT_URL`."""
    base = (url or os.environ.get("HAWTHORNE_SERVER") or DEFAULT_URL).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"url: {base!r} is not an http:// or https:// URL")
    return base


def resolve_key(api_key: str | None) -> str | None:
    """The API key: ``api_key``, else ``HAWTHORNE_API_KEY`` (None when neither is set)."""
    key = api_key if api_key is not None else os.environ.get("HAWTHORNE_API_KEY")
    if key is None or not key.strip():
        return None
    return key.strip()


@dataclass(frozen=True)
class _Failed:
    """A delivery that ended without an answer for its items; ``fatal`` stops the sender."""

    error: ServerError
    fatal: bool = False


class _TooLarge:
    """The server answered 413: the chunk is split and sent again."""


_TOO_LARGE = _TooLarge()


class Client:
    """Records live decisions on a Hawthorne server, and makes authenticated API calls.

    A client that is still open at interpreter exit is closed then (its flush waits up to
    ``timeout`` seconds).

    Args:
        url: The server's base URL (default: ``HAWTHORNE_SERVER``, else
            ``http://127.0.0.1:8765``).
        api_key: An API key (scope ``ingest`` to record; default: ``HAWTHORNE_API_KEY``).
        username: An account's name, for HTTP Basic instead of an API key.
        password: That account's password.
        batch_size: The most decisions per request (at most 10,000); a full batch is sent at
            once.
        flush_interval: Seconds a decision waits, at most, before the background thread sends
            it.
        max_buffer: The most decisions waiting to be sent.
        max_block: Seconds :meth:`record` waits for room in a full buffer before it raises
            :class:`BufferFull`.
        timeout: Seconds for each HTTP request.
        max_retries: Retries of a failed request before the attempt is given up (the items
            stay buffered and are tried again later).
        backoff: The first pause between retries, in seconds; it doubles at each retry (with
            jitter, up to 30 s) and is never shorter than the server's ``Retry-After``.
        transport: An httpx transport to send through (a proxy, a test double).

    Raises:
        ValueError: A setting is out of range, the URL is not http(s), or no credentials were
            given.

    Example:
        >>> with Client("http://127.0.0.1:8765", "hwk_...") as client:  # doctest: +SKIP
        ...     client.record("soc-prod", fields={"severity": "high"}, decision="escalate")
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        batch_size: int = 1000,
        flush_interval: float = 1.0,
        max_buffer: int = 100_000,
        max_block: float = 0.5,
        timeout: float = 10.0,
        max_retries: int = 8,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        _check_settings(batch_size, flush_interval, max_buffer, max_block, max_retries, backoff)
        self.url = resolve_url(url)
        self.batch_size, self.flush_interval = batch_size, flush_interval
        self.max_buffer, self.max_block = max_buffer, max_block
        self.max_retries, self.backoff = max_retries, backoff
        self._timeout = timeout
        self._account = username
        headers = {"User-Agent": f"hawthorne-client/{__version__}"}
        auth: httpx.BasicAuth | None = None
        if username is not None:
            if api_key is not None:
                raise ValueError("give an API key or an account (username, password), not both")
            if password is None:
                raise ValueError(f"password: give the password of the account {username!r}")
            auth = httpx.BasicAuth(username, password)
        else:
            key = resolve_key(api_key)
            if key is None:
                raise ValueError(
                    "no API key: set HAWTHORNE_API_KEY, pass api_key, or give username and password"
                )
            headers["Authorization"] = f"Bearer {key}"
        self._http = httpx.Client(
            base_url=self.url, headers=headers, auth=auth, timeout=timeout, transport=transport
        )

        self._cond = threading.Condition()
        # (enqueued at, item): items leave only once the server has answered for them.
        self._buffer: deque[tuple[float, dict[str, Any]]] = deque()
        self._recorded = 0  # items ever buffered
        self._settled = 0  # items ever answered for (acknowledged or rejected)
        self._urgent_until = 0  # flush(): send at once until this many items are settled
        self._retry_at = 0.0  # after a failed attempt, the next one waits until then
        self._failures = 0  # attempts given up so far
        self._error: ServerError | None = None  # the last one's error
        self._fatal: ServerError | None = None  # stops the sender (401, 403, a broken answer)
        self._closed = False  # no more record()
        self._stop = False  # the sender exits
        self._abort = threading.Event()  # cuts a backoff pause short when closing
        self._sent = 0
        self._rejected: deque[dict[str, Any]] = deque(maxlen=MAX_REJECTED)
        # The sender starts with the first record(): a client made for request() has none.
        self._thread: threading.Thread | None = None
        self._exit_hook = functools.partial(_close_at_exit, weakref.ref(self))

    # --- recording ---------------------------------------------------------------------------

    def record(
        self,
        deployment: str,
        *,
        fields: Mapping[str, Any],
        decision: str | None = None,
        output: str | None = None,
        actions: Sequence[Mapping[str, Any]] | None = None,
        reasoning: str | None = None,
        monitored: bool | None = None,
        segment: str = "default",
        id: str | None = None,
        time: datetime | None = None,
        protocol: Mapping[str, str | None] | None = None,
        trace_id: str | None = None,
        span_id: str | None = None,
    ) -> str:
        """Validate a decision and buffer it for the background thread to send.

        Args:
            deployment: The deployment's id.
            fields: The case fields the suite's decide tables read.
            decision: The decision, when the application knows it.
            output: The model's answer text (read for its ``<decision>`` tag).
            actions: The model's tool calls, ``[{"tool": ..., "args": {...}}]``.
            reasoning: The model's reasoning.
            monitored: Whether the model was told it is watched.
            segment: Tenant, region or any other split.
            id: The idempotency id (default: a new UUID4).
            time: When the decision was made (default: now, UTC).
            protocol: ``{"suite": ..., "version": ...}`` the application believes is active.
            trace_id: OpenTelemetry trace id (32 lowercase hex digits).
            span_id: OpenTelemetry span id (16 lowercase hex digits).

        Returns:
            The decision's id.

        Raises:
            ValueError: The decision is invalid (the message names the field).
            BufferFull: The buffer stayed full for ``max_block`` seconds.
            AuthError: The server has rejected the credentials.
            ServerError: The sender has stopped on an answer no retry can fix (a wrong URL).
            RuntimeError: The client is closed.
        """
        data = {
            "id": str(uuid.uuid4()) if id is None else id,
            "deployment": deployment,
            "time": datetime.now(UTC) if time is None else time,
            "protocol": None if protocol is None else dict(protocol),
            "fields": dict(fields),
            "decision": decision,
            "output": output,
            "actions": [dict(a) for a in actions or ()],
            "reasoning": reasoning,
            "monitored": monitored,
            "segment": segment,
            "trace_id": trace_id,
            "span_id": span_id,
        }
        try:
            item = DecisionIn.model_validate(data).model_dump(mode="json", exclude_none=True)
        except ValidationError as err:
            raise ValueError(describe_error(err)) from None
        with self._cond:
            self._check_open()
            if len(self._buffer) >= self.max_buffer:
                self._wait_for_room()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hawthorne-client", daemon=True
                )
                self._thread.start()
                atexit.register(self._exit_hook)  # buffered decisions are sent at exit
            self._buffer.append((monotonic(), item))
            self._recorded += 1
            if len(self._buffer) in (1, self.batch_size):
                self._cond.notify_all()
        return str(item["id"])

    def _check_open(self) -> None:
        if self._fatal is not None:
            raise _again(self._fatal)
        if self._closed:
            raise RuntimeError("the client is closed")

    def _wait_for_room(self) -> None:
        deadline = monotonic() + self.max_block
        while len(self._buffer) >= self.max_buffer:
            remaining = deadline - monotonic()
            if remaining <= 0:
                last = f"; last error: {self._error}" if self._error is not None else ""
                raise BufferFull(
                    f"{len(self._buffer)} decisions are waiting to be sent to {self.url} "
                    f"(max_buffer {self.max_buffer}; waited {self.max_block} s for room){last}"
                )
            self._cond.wait(remaining)
            self._check_open()

    def flush(self, timeout: float | None = None) -> None:
        """Send every decision recorded so far, blocking until the server has answered for each.

        Args:
            timeout: Seconds to wait at most (None: as long as it takes).

        Raises:
            AuthError: The server rejected the credentials.
            ServerError: An attempt was given up after ``max_retries`` retries (the decisions
                stay buffered and are tried again later).
            TimeoutError: ``timeout`` passed first.
        """
        deadline = None if timeout is None else monotonic() + timeout
        with self._cond:
            target, failures = self._recorded, self._failures
            self._urgent_until = max(self._urgent_until, target)
            self._retry_at = 0.0
            self._cond.notify_all()
            while self._settled < target:
                if self._fatal is not None:
                    raise _again(self._fatal)
                if self._failures > failures and self._error is not None:
                    raise _again(self._error)
                if self._thread is None or not self._thread.is_alive():
                    raise RuntimeError("the client is closed")
                remaining = None if deadline is None else deadline - monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        f"flush: {target - self._settled} decisions still unsent after {timeout} s"
                    )
                self._cond.wait(remaining)

    def close(self, timeout: float | None = None) -> None:
        """Flush, then stop the background thread and close the connections.

        Decisions that could not be sent are counted in a WARNING log; the error is raised.

        Args:
            timeout: Seconds to wait for the flush at most (None: as long as it takes).

        Raises:
            AuthError: The server rejected the credentials.
            ServerError: The last attempt was given up.
            TimeoutError: ``timeout`` passed first.
        """
        with self._cond:
            if self._stop:
                return
            self._closed = True
        try:
            self.flush(timeout)
        finally:
            with self._cond:
                self._stop = True
                unsent = len(self._buffer)
                self._cond.notify_all()
            self._abort.set()
            if self._thread is not None:
                self._thread.join(self._timeout + 1.0)  # a request in flight ends by then
                atexit.unregister(self._exit_hook)
            self._http.close()
            if unsent:
                logger.warning("closed with %d decisions not sent to %s", unsent, self.url)

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def sent(self) -> int:
        """Decisions the server has acknowledged (201 stored or 200 duplicate)."""
        with self._cond:
            return self._sent

    @property
    def rejected(self) -> list[dict[str, Any]]:
        """The server's results for the items it refused (400, 404, 413), newest 1,000 kept."""
        with self._cond:
            return list(self._rejected)

    @property
    def pending(self) -> int:
        """Decisions buffered and not yet answered for."""
        with self._cond:
            return len(self._buffer)

    # --- one API call ------------------------------------------------------------------------

    def override(
        self,
        deployment: str,
        decision_id: str,
        final_decision: str,
        *,
        by: str,
        reason: str,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Record that a person replaced a recorded decision (``POST /api/v1/overrides``).

        Decisions still buffered are sent first, so the one overridden is stored.

        Args:
            deployment: The deployment's id.
            decision_id: The decision's id, as recorded.
            final_decision: The decision that stands.
            by: The person who overrode it.
            reason: A reason code, e.g. ``false-positive``.
            note: Free text.

        Returns:
            The override, with its direction against the protocol.

        Raises:
            AuthError: The key lacks the ``ingest`` scope.
            ServerError: No such decision (404), already overridden (409), or another failure.
        """
        self.flush()
        body = {
            "deployment": deployment,
            "decision_id": decision_id,
            "final_decision": final_decision,
            "by": by,
            "reason": reason,
            "note": note,
        }
        answer: dict[str, Any] = self.request("POST", "/api/v1/overrides", json=body)
        return answer

    def request(self, method: str, path: str, json: Any = None) -> Any:
        """One authenticated JSON call to the server's API.

        Args:
            method: The HTTP method (``GET``, ``POST``...).
            path: The path, e.g. ``/api/v1/deployments``.
            json: The JSON body, if any.

        Returns:
            The decoded JSON answer (None when the answer has no body).

        Raises:
            AuthError: 401 or 403.
            ServerError: Any other 4xx or 5xx (with the server's ``detail``), an answer that is
                not JSON, or the server cannot be reached.
        """
        try:
            response = self._http.request(method, path, json=json)
        except httpx.RequestError as err:
            raise self._unreachable(err) from None
        status = response.status_code
        if status in (401, 403):
            raise self._auth_error(status, _detail(response), f"{method.upper()} {path}")
        if status >= 400:
            raise ServerError(status, _detail(response))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ServerError(status, f"the answer to {method} {path} is not JSON") from None

    def _unreachable(self, err: Exception) -> ServerError:
        reason = str(err) or type(err).__name__
        return ServerError(None, f"cannot reach the Hawthorne server at {self.url}: {reason}")

    def _auth_error(self, status: int, detail: str, call: str) -> AuthError:
        who = "the API key" if self._account is None else f"the account {self._account!r}"
        if status == 401:
            fix = "check HAWTHORNE_API_KEY" if self._account is None else "check the password"
            return AuthError(status, f"the server rejected {who}: {detail}; {fix}")
        return AuthError(status, f"the server refused {who} for {call}: {detail}")

    # --- the background thread ---------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    batch = self._next_batch()
                if batch is None:
                    return
                results, failed = self._deliver(batch)
                self._settle(batch, results, failed)
        except Exception as err:  # a bug must not leave flush() waiting forever
            logger.exception("the sender stopped")
            with self._cond:
                self._fatal = ServerError(None, f"the client's sender stopped: {err!r}")
                self._cond.notify_all()

    def _next_batch(self) -> list[dict[str, Any]] | None:
        """Wait (holding the lock) until a batch is due; None when the thread should exit."""
        while not self._stop:
            now = monotonic()
            if self._buffer and self._fatal is None:
                if self._urgent_until > self._settled:
                    due = now
                elif len(self._buffer) >= self.batch_size:
                    due = self._retry_at
                else:
                    due = max(self._buffer[0][0] + self.flush_interval, self._retry_at)
                if due <= now:
                    return [item for _, item in islice(self._buffer, self.batch_size)]
                self._cond.wait(due - now)
            else:
                self._cond.wait()
        return None

    def _deliver(self, batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], _Failed | None]:
        """Results for a prefix of ``batch`` (all of it unless an attempt failed)."""
        results: list[dict[str, Any]] = []
        chunks = [batch]
        while chunks:
            chunk = chunks.pop(0)
            outcome = self._post(chunk)
            if isinstance(outcome, _Failed):
                return results, outcome
            if isinstance(outcome, _TooLarge):
                if len(chunk) == 1:
                    error = "the decision is larger than the server's body limit"
                    results.append({"id": chunk[0]["id"], "status": 413, "error": error})
                else:
                    half = len(chunk) // 2
                    chunks[:0] = [chunk[:half], chunk[half:]]
                continue
            results.extend(outcome)
        return results, None

    def _post(self, chunk: list[dict[str, Any]]) -> list[dict[str, Any]] | _TooLarge | _Failed:
        """One chunk, retried until the server answers for it or ``max_retries`` run out."""
        error = ServerError(None, "not sent")
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                response = self._http.post(_DECISIONS, json={"batch": chunk})
            except httpx.UnsupportedProtocol as err:
                return _Failed(self._unreachable(err), fatal=True)
            except httpx.RequestError as err:
                error = self._unreachable(err)
            else:
                status = response.status_code
                if status == 207:
                    results = _results(response, len(chunk))
                    if results is not None:
                        return results
                    error = ServerError(status, "the answer does not hold one result per item")
                elif status in (401, 403):
                    call = f"POST {_DECISIONS}"
                    return _Failed(self._auth_error(status, _detail(response), call), fatal=True)
                elif status == 413:
                    return _TOO_LARGE
                elif status == 400:  # the body as a whole: resending it cannot help
                    detail = _detail(response)
                    return [{"id": i["id"], "status": 400, "error": detail} for i in chunk]
                elif status == 429 or status >= 500:
                    error = ServerError(status, _detail(response))
                    retry_after = _retry_after(response)
                else:
                    detail = f"unexpected answer to POST {_DECISIONS}: {_detail(response)}"
                    return _Failed(ServerError(status, detail), fatal=True)
            if attempt == self.max_retries:
                break
            delay = min(MAX_BACKOFF, self.backoff * 2 ** min(attempt, 30)) * random.uniform(0.5, 1)
            delay = max(delay, retry_after or 0.0)
            logger.debug("attempt %d failed (%s); retrying in %.2f s", attempt + 1, error, delay)
            if self._abort.wait(delay):
                break
        return _Failed(error)

    def _settle(
        self, batch: list[Any], results: list[dict[str, Any]], failed: _Failed | None
    ) -> None:
        refused = [r for r in results if r.get("status") not in (200, 201)]
        # Logged before the state changes, so that a flush() that returns has been logged.
        if refused:
            shown = "; ".join(
                f"{r.get('id')} ({r.get('status')}: {r.get('error', '')})" for r in refused[:_SHOWN]
            )
            more = f"; and {len(refused) - _SHOWN} more" if len(refused) > _SHOWN else ""
            logger.warning(
                "the server refused %d of %d decisions: %s%s",
                len(refused),
                len(results),
                shown,
                more,
            )
        if failed is not None:
            retried = "" if failed.fatal else f" after {self.max_retries} retries"
            unsent = len(batch) - len(results)
            logger.warning("sending %d decisions failed%s: %s", unsent, retried, failed.error)
        with self._cond:
            for _ in results:
                self._buffer.popleft()
            self._settled += len(results)
            self._sent += len(results) - len(refused)
            self._rejected.extend(refused)
            if failed is None:
                self._retry_at = 0.0
            elif failed.fatal:
                self._fatal = failed.error
            else:
                self._error = failed.error
                self._failures += 1
                self._retry_at = monotonic() + self.flush_interval
                self._urgent_until = 0  # waiting flush() calls raise; no hurry past the pause
            self._cond.notify_all()


def _check_settings(
    batch_size: int,
    flush_interval: float,
    max_buffer: int,
    max_block: float,
    max_retries: int,
    backoff: float,
) -> None:
    rules = [
        ("batch_size", batch_size, 1 <= batch_size <= MAX_BATCH, f"between 1 and {MAX_BATCH}"),
        ("flush_interval", flush_interval, flush_interval > 0, "positive"),
        ("max_buffer", max_buffer, max_buffer >= 1, "at least 1"),
        ("max_block", max_block, max_block >= 0, "zero or more"),
        ("max_retries", max_retries, max_retries >= 0, "zero or more"),
        ("backoff", backoff, backoff >= 0, "zero or more"),
    ]
    for name, value, ok, must in rules:
        if not ok:
            raise ValueError(f"{name}: must be {must}, not {value}")


def _detail(response: httpx.Response) -> str:
    """The server's ``detail``, else the start of the body, else the reason phrase."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("detail") is not None:
        detail = body["detail"]
        return detail if isinstance(detail, str) else repr(detail)
    text = response.text.strip()
    return text[:300] if text else response.reason_phrase or "no detail"


def _results(response: httpx.Response, n: int) -> list[dict[str, Any]] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list) or len(results) != n:
        return None
    if not all(isinstance(r, dict) for r in results):
        return None
    return results


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), capped at 60."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _again(err: ServerError) -> ServerError:
    # Raising one stored object again and again would grow its traceback without end.
    return type(err)(err.status, err.detail)


def _close_at_exit(ref: weakref.ref[Client]) -> None:
    client = ref()
    if client is None:
        return
    try:
        client.close(timeout=client._timeout)
    except Exception as err:  # at exit there is no caller left to raise to
        logger.warning("at exit, decisions could not be sent: %s", err)
