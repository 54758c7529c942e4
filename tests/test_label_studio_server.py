"""A real Label Studio server: the exported tasks go in through its HTTP API, come out through its
export, and read back into records equal to the originals.

Marked ``integration`` and skipped unless the pinned ``label-studio`` package is installed, in its
own virtual environment (``make test-integration`` makes ``.venv-ls``; ``$STANCE_LABEL_STUDIO``
names another ``label-studio`` executable). The server runs on 127.0.0.1 only, with a data folder
of its own under the test's temporary folder, and every wait is bounded; it is stopped at the end.
Its prediction validation (a feature flag, off by default) is switched on, so the server itself
checks the pre-annotations against the printed configuration.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from stance.cli import app
from stance.formats.label_studio import label_config

pytestmark = pytest.mark.integration

LABEL_STUDIO = Path(os.environ.get("STANCE_LABEL_STUDIO", ROOT / ".venv-ls" / "bin" / "label-studio"))
GOLD = ROOT / "examples" / "gold.jsonl"
START_TIMEOUT = 300  # seconds: the first start migrates a new database
REQUEST_TIMEOUT = 60
runner = CliRunner()

if not LABEL_STUDIO.is_file():
    pytest.skip(
        f"Label Studio is not installed ({LABEL_STUDIO}); `make test-integration` installs it",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Token {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("label-studio")
    port, token = _free_port(), secrets.token_hex(20)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(home),
        "COLLECT_ANALYTICS": "false",
        # The server checks imported predictions against the project's configuration.
        "fflag_feat_utc_210_prediction_validation_15082025": "true",
    }
    command = [
        str(LABEL_STUDIO), "start", "--no-browser", "--data-dir", str(home),
        "--internal-host", "127.0.0.1", "--port", str(port),
        "--username", "stance@example.com", "--password", secrets.token_hex(12),
        "--user-token", token, "--enable-legacy-api-token", "--log-level", "WARNING",
    ]  # fmt: skip
    log = open(home / "server.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                tail = (home / "server.log").read_text()[-3000:]
                pytest.fail(f"Label Studio exited ({process.returncode}):\n{tail}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Label Studio did not answer within {START_TIMEOUT} s")
            time.sleep(1)
        yield Server(url, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


def _project(server: Server, title: str) -> int:
    status, project = server.call("POST", "/api/projects", {"title": title, "label_config": label_config()})
    assert status == 201, project
    return project["id"]  # type: ignore[index]


def _snapshot(server: Server, project: int) -> object:
    """The project's tasks with their predictions in full: an export snapshot (the quick export
    lists predictions by id only), waited for within a bound."""
    options = {"serialization_options": {"predictions": {"only_id": False}}}
    status, made = server.call("POST", f"/api/projects/{project}/exports/", options)
    assert status == 201, made
    deadline = time.monotonic() + 120
    while True:
        status, snapshot = server.call("GET", f"/api/projects/{project}/exports/{made['id']}")  # type: ignore
        assert status == 200, snapshot
        if snapshot["status"] == "completed":  # type: ignore[index]
            break
        assert snapshot["status"] != "failed" and time.monotonic() < deadline, snapshot  # type: ignore[index]
        time.sleep(1)
    download = f"/api/projects/{project}/exports/{made['id']}/download?exportType=JSON"  # type: ignore[index]
    status, exported = server.call("GET", download)
    assert status == 200, exported
    return exported


def _round_trip(server: Server, tmp_path: Path, annotations: bool) -> None:
    tasks = tmp_path / "tasks.json"
    args = ["export", str(GOLD), "-o", str(tasks), *(["--as-annotations"] if annotations else [])]
    assert runner.invoke(app, args).exit_code == 0
    project = _project(server, "stance gold as " + ("annotations" if annotations else "predictions"))
    body = json.loads(tasks.read_text("utf-8"))
    status, answer = server.call("POST", f"/api/projects/{project}/import", body)
    assert status == 201, answer
    assert answer["task_count"] == 5  # type: ignore[index]
    if annotations:  # the quick export, as the project page's Export button gives it
        query = "exportType=JSON&download_all_tasks=true"
        status, exported = server.call("GET", f"/api/projects/{project}/export?{query}")
        assert status == 200, exported
    else:
        exported = _snapshot(server, project)
    assert len(exported) == 5 and all("id" in t and "project" in t for t in exported)  # type: ignore[arg-type]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported), "utf-8")
    back = tmp_path / "back.jsonl"
    args = ["import", str(export), "-o", str(back), *([] if annotations else ["--predictions"])]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert back.read_text("utf-8") == GOLD.read_text("utf-8")


def test_predictions_round_trip_through_label_studio(server, tmp_path):
    _round_trip(server, tmp_path, annotations=False)


def test_annotations_round_trip_through_label_studio(server, tmp_path):
    _round_trip(server, tmp_path, annotations=True)


def test_the_server_checks_predictions_against_the_config(server):
    # The check is on: a region from a control the configuration does not have is refused.
    project = _project(server, "stance validation")
    region = {"id": "r", "from_name": "nope", "to_name": "text", "type": "labels",
              "value": {"start": 0, "end": 3, "text": "Ann", "labels": ["Source"]}}  # fmt: skip
    bad = {"data": {"text": "Ann said so.", "id": "x", "meta": {}, "organizations": []},
           "predictions": [{"result": [region]}]}  # fmt: skip
    status, answer = server.call("POST", f"/api/projects/{project}/import", [bad])
    assert status == 400 and "not found in configuration" in str(answer)
