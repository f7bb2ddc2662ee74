"""`python -m papertrail` speaks MCP on stdout and logs on stderr, with its data where it is told."""

import json
import os
import subprocess
import sys
from pathlib import Path


def test_the_server_answers_on_stdio_and_logs_elsewhere(tmp_path: Path) -> None:
    db = tmp_path / "log.db"
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "paper_add", "arguments": {"title": "X"}}},
    ]
    env = {**os.environ, "PAPERTRAIL_DB": str(db), "PAPERTRAIL_LOG_LEVEL": "DEBUG", "HOME": str(tmp_path / "home")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "papertrail"],
        input="".join(json.dumps(r) + "\n" for r in requests),
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == [1, 2]
    assert "reading log at" in done.stderr and "serving MCP on stdio" in done.stderr
    assert db.exists()
    assert not (tmp_path / "home").exists()
