"""A conference's source on loopback, as a real schedule server behaves: it sends an ETag
and a Last-Modified with each file and answers 304 to a request that names the current
ones (RFC 9110, section 13.1), or whatever status a test sets. It records what each
request asked, so a test can see the conditional GET."""

import email.utils
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Source:
    body: bytes = b""
    validators: bool = True  # False: a server that sends neither ETag nor Last-Modified
    status: int = 200  # anything else: the server fails with it
    delay: float = 0.0  # seconds before answering
    modified: float = field(default_factory=time.time)
    requests: list[dict] = field(default_factory=list)
    url: str = ""
    # Other paths of the same server (an API's documents, files): path -> (body, type).
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    origin: str = ""

    def page(self, path: str, body: bytes, content_type: str = "application/json") -> str:
        """Serve `body` at `path` too; its full address."""
        self.pages[path] = (body, content_type)
        return self.origin + path

    def serve(self, body: bytes) -> None:
        """The file changes on the server."""
        self.body, self.modified = body, time.time() + 1  # a second later, to the header

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.body).hexdigest()[:16]}"'


class _Handler(BaseHTTPRequestHandler):
    source: Source

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        source = self.server.source
        asked = {k: self.headers.get(k) for k in ("If-None-Match", "If-Modified-Since")}
        source.requests.append({"path": self.path, **asked})
        time.sleep(source.delay)
        if self.path in source.pages:
            body, kind = source.pages[self.path]
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            if asked["If-None-Match"] == etag:
                self._answer(304, b"", {"ETag": etag})
            else:
                self._answer(200, body, {"ETag": etag}, kind)
            return
        if source.status != 200:
            self._answer(source.status, b"failing")
            return
        headers = {}
        if source.validators:
            modified = email.utils.formatdate(source.modified, usegmt=True)
            headers = {"ETag": source.etag, "Last-Modified": modified}
            # If-None-Match wins when both are sent (RFC 9110, 13.2.2).
            if asked["If-None-Match"] == source.etag or (
                not asked["If-None-Match"] and asked["If-Modified-Since"] == modified
            ):
                self._answer(304, b"", headers)
                return
        self._answer(200, source.body, headers)

    def _answer(self, status: int, body: bytes, headers: dict | None = None,
                kind: str = "application/xml") -> None:  # fmt: skip
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a killed worker) breaks the pipe


def serve(path: str = "/schedule.xml"):
    """Start a source on loopback; returns (source, stop)."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    origin = f"http://127.0.0.1:{httpd.server_port}"
    httpd.source = Source(url=origin + path, origin=origin)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return httpd.source, stop
