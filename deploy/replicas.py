"""N VGG Explorer replicas and HAProxy in front of them, on one machine.

    python deploy/replicas.py --replicas 2 --port 8501     # then open http://127.0.0.1:8501

Each replica is ``streamlit run app.py`` with the production flags below on its own
loopback port (``--port`` + 1 … + N); HAProxy (Debian's ``haproxy`` package) balances
them with cookie-based session affinity and websockets, from ``haproxy.cfg.in``.
Ctrl-C (or SIGTERM) stops everything. Loopback only: put a real address in the
generated config (``.artifacts/deploy/haproxy.cfg``) to serve a room.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
WORK = ROOT / ".artifacts" / "deploy"
START_TIMEOUT = 180.0  # s; importing Streamlit on a busy 2-core machine is slow


def streamlit_flags(port: int, address: str = "127.0.0.1") -> list[str]:
    """``streamlit run`` for serving a class: no file watching, no browser, no telemetry,
    no tracebacks shown to students; uploads capped by .streamlit/config.toml."""
    return [
        "--server.headless", "true",
        "--server.address", address,
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--runner.postScriptGC", "false",
        "--client.showErrorDetails", "none",
        "--client.toolbarMode", "viewer",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def haproxy_config(port: int, replica_ports: list[int]) -> str:
    servers = "\n".join(
        f"    server app{i} 127.0.0.1:{p} check cookie app{i}"
        for i, p in enumerate(replica_ports, 1)
    )
    return TEMPLATE.read_text().format(bind=f"127.0.0.1:{port}", servers=servers)


@dataclass
class Cluster:
    """The balancer's URL and the processes behind it (each in its own process group)."""

    url: str
    replicas: list[subprocess.Popen[bytes]]
    balancer: subprocess.Popen[bytes] | None = None
    ports: list[int] = field(default_factory=list)

    def kill_replica(self, index: int) -> None:
        """Kill one replica at once (SIGKILL to its group), as a crash would."""
        _signal_group(self.replicas[index], signal.SIGKILL)
        self.replicas[index].wait(timeout=10)

    def stop(self) -> None:
        for process in [*self.replicas, self.balancer]:
            if process is not None and process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        for process in [*self.replicas, self.balancer]:
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env,
        )  # fmt: skip


def start(replicas: int, port: int, work: Path = WORK) -> Cluster:
    """Start ``replicas`` app processes and HAProxy on ``port``; return when all are healthy."""
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise FileNotFoundError("haproxy is not installed (Debian: apt-get install haproxy)")
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        # one secret for all replicas, so a signed cookie from one is valid on another
        "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get(
            "STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32)
        ),
    }
    ports = [port + i for i in range(1, replicas + 1)]
    cluster = Cluster(f"http://127.0.0.1:{port}", [], ports=ports)
    try:
        for i, p in enumerate(ports, 1):
            command = [sys.executable, "-m", "streamlit", "run", "app.py", *streamlit_flags(p)]
            cluster.replicas.append(_spawn(command, work / f"replica{i}.log", env))
        deadline = time.monotonic() + START_TIMEOUT
        for p, process in zip(ports, cluster.replicas, strict=True):
            while not healthy(f"http://127.0.0.1:{p}"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"replica on port {p} did not start; see {work}")
                time.sleep(0.25)
        config = work / "haproxy.cfg"
        config.write_text(haproxy_config(port, ports))
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        cluster.balancer = _spawn([haproxy, "-db", "-f", str(config)], work / "haproxy.log", env)
        while not healthy(cluster.url):  # the balancer's checks have seen them up
            if cluster.balancer.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start; see {work / 'haproxy.log'}")
            time.sleep(0.25)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="app processes (2)")
    parser.add_argument("--port", type=int, default=8501, help="the balancer's port (8501)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cluster = start(max(1, args.replicas), args.port)
    print(f"{args.replicas} replicas on ports {cluster.ports}, HAProxy on {cluster.url}")
    try:
        while all(p.poll() is None for p in [*cluster.replicas, cluster.balancer]):
            time.sleep(1)
        print("a process exited; stopping", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
