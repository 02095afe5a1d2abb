"""The production commands: serve, db upgrade, keys, deployments, monitor status."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from click.testing import CliRunner

from hawthorne.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_migrates_prints_a_one_time_password_and_serves_the_schema(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "HAWTHORNE_ADMIN_PASSWORD"}
    db = f"sqlite:///{tmp_path / 'h.db'}"
    command = [
        str(Path(sys.executable).parent / "hawthorne"),
        "serve",
        "--db",
        db,
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)  # fmt: skip
    try:
        lines = []
        assert proc.stdout is not None
        while not any("serving" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        password = next(ln.split("password ")[1].split()[0] for ln in lines if "password" in ln)
        for _ in range(100):
            try:
                schema = httpx.get(f"http://127.0.0.1:{port}/openapi.json")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert schema.status_code == 200 and "/api/v1/decisions" in schema.json()["paths"]
        who = httpx.get(f"http://127.0.0.1:{port}/api/v1/whoami", auth=("admin", password))
        assert who.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # A second start creates no second admin and prints no password.
    again = subprocess.run(
        [sys.executable, "-c", "from hawthorne.store import Store, ensure_admin;"
         f"s = Store({db!r}); s.upgrade(); print(ensure_admin(s))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert again.stdout.strip() == "None"


def test_db_upgrade_and_keys_create_on_a_store(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade", "--db", db])
    assert upgraded.exit_code == 0 and "revision 0003" in upgraded.output
    made = runner.invoke(main, ["keys", "create", "--scope", "ingest", "--db", db])
    assert made.exit_code == 0 and made.output.strip().splitlines()[-1].startswith("hwk_")
    bad = runner.invoke(main, ["db", "upgrade", "--db", "postgresql://x@127.0.0.1:1/none"])
    assert bad.exit_code == 2 and "cannot reach the database" in bad.output


def test_client_commands_through_a_server(live_server: Any, deployment_data: Any,
                                          tmp_path: Path) -> None:  # fmt: skip
    data = deployment_data("hawthorne/scripted-faker")
    path = tmp_path / "soc-prod.yaml"
    path.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    server = ["--server", live_server.url]
    admin = [*server, "--api-key", live_server.keys["admin"]]
    added = runner.invoke(main, ["deployments", "add", str(path), *admin])
    assert added.exit_code == 0, added.output
    assert "baseline hawthorne/scripted-faker on soc-triage" in added.output
    assert "CUSUM" in added.output
    listed = runner.invoke(main, ["deployments", "list", *admin])
    assert listed.output.split() == ["soc-prod"], listed.output
    env = {"HAWTHORNE_PASSWORD": live_server.admin_password}
    key = runner.invoke(main, ["keys", "create", "--scope", "read", "--user", "admin", *server],
                        env=env)  # fmt: skip
    assert key.exit_code == 0, key.output
    read_key = key.output.strip().splitlines()[-1]
    status = runner.invoke(main, ["monitor", "status", "soc-prod", *server, "--api-key", read_key])
    assert status.exit_code == 0 and "soc-prod" in status.output
    as_json = runner.invoke(main, ["monitor", "status", "soc-prod", "--json", *server,
                                   "--api-key", read_key])  # fmt: skip
    assert '"streams": []' in as_json.output
    made = runner.invoke(main, ["accounts", "create", "ana", "--role", "auditor", *admin],
                         env={"NEW_PASSWORD": "a long enough password"})  # fmt: skip
    assert made.exit_code == 0 and "ana: auditor" in made.output
    auditor = [*server, "--user", "ana"]
    env = {"HAWTHORNE_PASSWORD": "a long enough password"}
    seen = runner.invoke(main, ["monitor", "status", "soc-prod", *auditor], env=env)
    assert seen.exit_code == 0, seen.output
    changed = runner.invoke(main, ["deployments", "add", str(path), *auditor], env=env)
    assert changed.exit_code == 2 and "403" in changed.output
    listed = runner.invoke(main, ["accounts", "list", *admin])
    assert "admin\tadmin" in listed.output and "ana\tauditor" in listed.output
    refused = runner.invoke(main, ["deployments", "add", str(path), *server, "--api-key", read_key])
    assert refused.exit_code == 2 and "403" in refused.output
    nobody = runner.invoke(main, ["monitor", "status", "--server", "http://127.0.0.1:1",
                                  "--api-key", read_key])  # fmt: skip
    assert nobody.exit_code == 2 and "cannot reach" in nobody.output
