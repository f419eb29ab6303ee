"""A Hugging Face Hub on loopback that speaks what ``hf_hub_download`` asks for.

HEAD and GET ``/{repo}/resolve/{revision}/{filename}`` answer with ``X-Repo-Commit``,
``ETag`` (the SHA-256, as the Hub gives for LFS files), ``X-Linked-Etag``,
``X-Linked-Size``, ``Content-Length`` and ``Range`` support; an unknown revision is a 404
with the Hub's ``X-Error-Code``. Faults are switches: drop the first GET after some bytes,
serve other bytes than the ETag announces, answer GET with 500.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hub:
    files: dict[tuple[str, str, str], bytes] = field(default_factory=dict)  # repo, commit, name
    drop_first_get_after: int | None = None  # bytes, then the connection is cut (once)
    corrupt: bool = False  # serve bytes that do not hash to the announced ETag
    get_status: int = 200
    bytes_per_second: float | None = None  # a slow line, to watch the progress bar
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, repo: str, commit: str, name: str, data: bytes) -> str:
        self.files[(repo, commit, name)] = data
        return hashlib.sha256(data).hexdigest()


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _find(self) -> tuple[str, bytes] | None:
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) < 5 or parts[2] != "resolve":
                return None
            repo, revision, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
            for (r, commit, n), data in hub.files.items():
                if r == repo and n == name and revision in (commit, "main"):
                    return commit, data
            return None

        def _start(self, found: tuple[str, bytes] | None, status: int = 200) -> bytes | None:
            """Status line and the Hub's headers; None (after a 404) for an unknown file."""
            if found is None:
                self.send_response(404)
                self.send_header("X-Error-Code", "RevisionNotFound")
                self.send_header("X-Error-Message", "Invalid rev id")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            commit, data = found
            sha = hashlib.sha256(data).hexdigest()
            self.send_response(status)
            self.send_header("X-Repo-Commit", commit)
            self.send_header("ETag", f'"{sha}"')
            self.send_header("X-Linked-Etag", f'"{sha}"')
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("Accept-Ranges", "bytes")
            return data

        def do_HEAD(self) -> None:
            hub.requests.append(("HEAD", self.path, None))
            data = self._start(self._find())
            if data is not None:
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()

        def do_GET(self) -> None:
            ranged = self.headers.get("Range")
            hub.requests.append(("GET", self.path, ranged))
            found = self._find()
            if found is not None and hub.get_status != 200:
                self.send_response(hub.get_status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = self._start(found, 206 if ranged and found else 200)
            if data is None:
                return
            if hub.corrupt:
                data = bytes(b ^ 0xFF for b in data[:64]) + data[64:]
            start = int(ranged.split("=")[1].split("-")[0]) if ranged else 0
            body = data[start:]
            if ranged:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = hub.drop_first_get_after
            if cut is not None and not ranged:
                hub.drop_first_get_after = None
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if hub.bytes_per_second is None:
                self.wfile.write(body)
                return
            piece = 1 << 20
            for start in range(0, len(body), piece):
                self.wfile.write(body[start : start + piece])
                time.sleep(piece / hub.bytes_per_second)

    return Handler


@contextmanager
def serve(hub: Hub) -> Iterator[Hub]:
    """The fake Hub on a free loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    hub.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
