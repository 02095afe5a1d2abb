"""The production commands: ``serve``, ``db``, ``keys``, ``accounts``, ``deployments``, ``monitor``.

``serve`` and ``db upgrade`` work on the store; ``keys create --db`` too (whoever can open the
database file may mint a key). The rest talk to a server through :mod:`hawthorne.client`, with
an API key (``--api-key`` / ``HAWTHORNE_API_KEY``) or an account (``--user``; the password
from ``HAWTHORNE_PASSWORD`` or a prompt).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from hawthorne.cli._console import console, fail, plain

F = TypeVar("F", bound=Callable[..., Any])


def ci_text(interval: Any) -> str:
    """A rate's interval, e.g. ``[0.696, 1.000]`` (rates are never negative: no signs)."""
    low, high = interval
    return f"[{low:.3f}, {high:.3f}]"


def _db_option(func: F) -> F:
    return click.option(
        "--db",
        envvar="HAWTHORNE_DB",
        default=None,
        help="Database URL (default: SQLite in the user data folder; postgresql+psycopg://… "
        "for PostgreSQL).",
    )(func)


def _server_options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--server",
                envvar="HAWTHORNE_SERVER",
                default="http://127.0.0.1:8765",
                show_default=True,
                help="The Hawthorne server.",
            ),
            click.option("--api-key", envvar="HAWTHORNE_API_KEY", default=None, help="An API key."),
            click.option(
                "--user",
                envvar="HAWTHORNE_USER",
                default=None,
                help="An account instead of a key (password: HAWTHORNE_PASSWORD or a prompt).",
            ),
        ]
    ):
        func = option(func)
    return func


def _client(server: str, api_key: str | None, user: str | None) -> Any:
    from hawthorne.client import Client

    if user is not None:
        password = os.environ.get("HAWTHORNE_PASSWORD") or click.prompt(
            f"password for {user}", hide_input=True
        )
        return Client(server, username=user, password=password)
    if api_key is None:
        fail("give an API key (--api-key or HAWTHORNE_API_KEY) or an account (--user)")
    return Client(server, api_key)


def _call(server: str, api_key: str | None, user: str | None, method: str, path: str,
          body: Any = None) -> Any:  # fmt: skip
    from hawthorne.client import AuthError, ServerError

    client = _client(server, api_key, user)
    try:
        return client.request(method, path, json=body)
    except (AuthError, ServerError) as err:
        fail(str(err))
    finally:
        client.close()


@click.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port.")
def serve(db: str | None, host: str, port: int) -> None:
    """Run the API server (migrates the store; the first start creates the admin account)."""
    from hawthorne.server import serve as run_server
    from hawthorne.store import StoreError

    try:
        run_server(db, host, port, say=lambda line: console.print(plain(line), highlight=False))
    except StoreError as err:
        fail(str(err))


@click.group()
def db() -> None:
    """The store: migrations."""


@db.command("upgrade")
@_db_option
def db_upgrade(db: str | None) -> None:
    """Migrate the database to the newest revision (idempotent)."""
    from hawthorne.store import Store, StoreError

    try:
        store = Store(db)
        revision = store.upgrade()
    except StoreError as err:
        fail(str(err))
    console.print(f"{plain(repr(store))}: at revision {plain(revision)}", highlight=False)


@click.group()
def keys() -> None:
    """API keys: create (shown once), list, revoke."""


@keys.command("create")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["ingest", "read", "admin"]),
    help="A scope (repeatable).",
)
@click.option("--name", default="cli", show_default=True, help="What the key is for.")
@click.option("--db", "db_url", default=None, help="Write the key into this store directly.")
@_server_options
def keys_create(scopes: tuple[str, ...], name: str, db_url: str | None, server: str,
                api_key: str | None, user: str | None) -> None:  # fmt: skip
    """Create an API key; the key is printed once and never stored."""
    if db_url is not None:
        from hawthorne.store import Store, StoreError, create_key

        try:
            store = Store(db_url)
            store.upgrade()
            key_id, key = create_key(store, name, list(scopes), created_by="cli")
        except StoreError as err:
            fail(str(err))
    else:
        made = _call(server, api_key, user, "POST", "/api/v1/keys",
                     {"name": name, "scopes": list(scopes)})  # fmt: skip
        key_id, key = made["id"], made["key"]
    console.print(f"key {plain(key_id)} ({', '.join(scopes)}); shown once:", highlight=False)
    click.echo(key)


@keys.command("list")
@_server_options
def keys_list(server: str, api_key: str | None, user: str | None) -> None:
    """List API keys (never their secrets)."""
    table = Table("id", "name", "scopes", "created", "revoked")
    for k in _call(server, api_key, user, "GET", "/api/v1/keys")["keys"]:
        table.add_row(*(plain(k[c] or "") for c in ("id", "name")), ", ".join(k["scopes"]),
                      plain(k["created_at"]), plain(k["revoked_at"] or ""))  # fmt: skip
    console.print(table)


@keys.command("revoke")
@click.argument("key_id")
@_server_options
def keys_revoke(key_id: str, server: str, api_key: str | None, user: str | None) -> None:
    """Revoke an API key."""
    _call(server, api_key, user, "DELETE", f"/api/v1/keys/{key_id}")
    console.print(f"revoked {plain(key_id)}", highlight=False)


@click.group()
def accounts() -> None:
    """Accounts: people who sign in, with roles."""


@accounts.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["viewer", "reviewer", "author", "approver", "auditor", "admin"]),
    help="A role (repeatable).",
)
@_server_options
def accounts_create(username: str, roles: tuple[str, ...], server: str, api_key: str | None,
                    user: str | None) -> None:  # fmt: skip
    """Create an account; its password is read from NEW_PASSWORD or a prompt."""
    password = os.environ.get("NEW_PASSWORD") or click.prompt(
        f"password for {username}", hide_input=True, confirmation_prompt=True
    )
    body = {"username": username, "password": password, "roles": list(roles)}
    made = _call(server, api_key, user, "POST", "/api/v1/accounts", body)
    console.print(f"account {plain(made['username'])}: {', '.join(made['roles'])}", highlight=False)


@accounts.command("list")
@_server_options
def accounts_list(server: str, api_key: str | None, user: str | None) -> None:
    """List accounts and their roles."""
    for a in _call(server, api_key, user, "GET", "/api/v1/accounts")["accounts"]:
        click.echo(f"{a['username']}\t{','.join(a['roles'])}")


@click.group()
def deployments() -> None:
    """Deployments: a model in production, its suite and its audited baseline."""


@deployments.command("add")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_server_options
def deployments_add(file: Path, server: str, api_key: str | None, user: str | None) -> None:
    """Register (or update) the hawthorne.deployment/1 FILE; its paths are read by the server."""
    from hawthorne.monitor import DeploymentError, load_deployment

    try:
        deployment = load_deployment(file)
    except DeploymentError as err:
        fail(str(err))
    made = _call(server, api_key, user, "POST", "/api/v1/deployments", deployment.to_json())
    b, plan = made["baseline"], made["plan"]
    console.print(
        f"deployment {plain(deployment.id)}: baseline {plain(b['target'])} on {plain(b['suite'])}"
        f" ({plain(b['cue_family'])}, {b['n_pairs']} pairs, verdict {plain(b['verdict'])}):"
        f" observed {b['observed']:.3f} {ci_text(b['observed_ci'])}, unobserved"
        f" {b['unobserved']:.3f} {ci_text(b['unobserved_ci'])}",
        highlight=False,
    )
    console.print(
        f"monitor: alarm when adherence < {plan['drop_p0']:.3f} (alpha {plan['alpha']}); CUSUM"
        f" {plan['cusum_p0']:.3f} → {plan['cusum_p1']:.3f}, h {plan['cusum_h']:.3f}"
        f" (ARL₀ {plan['arl0']:,.0f})",
        highlight=False,
    )


@deployments.command("list")
@_server_options
def deployments_list(server: str, api_key: str | None, user: str | None) -> None:
    """List registered deployments."""
    for deployment_id in _call(server, api_key, user, "GET", "/api/v1/deployments")["deployments"]:
        click.echo(deployment_id)


@click.group()
def monitor() -> None:
    """The monitor: live adherence against the audited baseline, per stream."""


def _status_table(status: dict[str, Any]) -> Table:
    table = Table(
        "stream", "seen", "scorable", "discr.", "live adherence", "audited observed",
        "audited unobserved", "resembles", "CUSUM S / h", "p (level)", "findings",
        title=f"{status['deployment']['id']} (baseline {status['baseline']['target']})",
    )  # fmt: skip
    for s in status["streams"]:
        a, cusum, drop = s["adherence"], s["cusum"], s["drop"]
        live = "—" if a["live"] is None else f"{a['live']:.3f} {ci_text(a['interval'])}"
        p = f"{drop['p_value']:.2g} ({drop['level']:.3f})"
        if drop["rejected_at"] is not None:
            p = f"[bold red]{p}[/]"
        findings = ", ".join(f"{f['severity']} {f['kind']}" for f in s["findings"]) or "—"
        table.add_row(
            plain(s["stream"]), str(s["seen"]), str(s["scorable"]), str(s["discriminating"]),
            live, f"{a['observed']:.3f} {ci_text(a['observed_interval'])}",
            f"{a['unobserved']:.3f} {ci_text(a['unobserved_interval'])}", a["resembles"],
            f"{cusum['statistic']:.2f} / {cusum['threshold']:.2f} ({cusum['alarms']} alarms)", p,
            plain(findings),
        )  # fmt: skip
    return table


@monitor.command("status")
@click.argument("deployment", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@_server_options
def monitor_status(deployment: str | None, as_json: bool, server: str, api_key: str | None,
                   user: str | None) -> None:  # fmt: skip
    """Per stream: live adherence against the audited baseline, the two tests, findings.

    Counts, live adherence with its anytime-valid interval, the audited observed and
    unobserved adherence, the CUSUM and the anytime-valid p-value, and open findings.
    """
    ids = [deployment] if deployment else _call(
        server, api_key, user, "GET", "/api/v1/deployments"
    )["deployments"]  # fmt: skip
    statuses = [
        _call(server, api_key, user, "GET", f"/api/v1/deployments/{d}/monitor") for d in ids
    ]
    if as_json:
        click.echo(json.dumps(statuses if deployment is None else statuses[0], indent=2))
        return
    if not statuses:
        console.print("no deployments registered (hawthorne deployments add FILE)")
    for status in statuses:
        console.print(_status_table(status))
