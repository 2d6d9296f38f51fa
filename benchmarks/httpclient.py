"""A tiny HTTP client for the load and multi-server tests: keeps its own cookies (even
`Secure` ones over plain HTTP on loopback) and the CSRF token, like a browser tab would."""

import http.client
import re
from urllib.parse import urlencode


class Tab:
    def __init__(self, host: str, port: int, source: str | None = None):
        """source: the local address to connect from (another loopback address is
        another client to whoever reads the connection's address)."""
        self.host, self.port = host, port
        self.source = (source, 0) if source else None
        self.cookies: dict[str, str] = {}
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            self.host, self.port, timeout=60, source_address=self.source
        )

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        body = urlencode(data, doseq=True) if data is not None else None
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close idle connections: open a new one once.
                self.conn.close()
                self.conn = self._connect()
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.request("POST", path, data or {}, **kw)

    def sign_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        status, text = self.post("/accounts/login/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"sign-in as {username} failed with {status}")

    @staticmethod
    def csrf_from(html: str) -> str | None:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match[1] if match else None
