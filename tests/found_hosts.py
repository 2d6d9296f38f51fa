"""A stand-in for the video hosts' lookup endpoints, on loopback. It follows their
documented shapes: oEmbed 1.0 (https://oembed.com: type, version, title, author_name,
thumbnail_url; Vimeo adds duration in seconds, YouTube's has no length), and
media.ccc.de's public API event (voctoweb's /public/events/<guid or slug>: title,
persons, duration, thumb_url, description). Videos named "down" make the host hang up."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

YOUTUBE_ID = "dQw4w9WgXcA"
TITLES = {
    YOUTUBE_ID: ("Queues all the way down: back-pressure in practice", "Example Conf"),
    "123456789": ("Latency budgets for humans", "Ops Day"),
    "39c3-1234-memory-safety": ("Memory safety, one bug at a time", ""),
}


class Hosts(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        asked = (query.get("url") or [""])[0]
        if "down" in self.path or "down" in asked:
            self.close_connection = True
            return  # no answer at all: the connection closes
        if parts.path == "/youtube/oembed":
            video_id = asked.rsplit("v=", 1)[-1]
            self.oembed(video_id, "YouTube", f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg")
        elif parts.path == "/vimeo/oembed.json":
            self.oembed(asked.rsplit("/", 1)[-1], "Vimeo",
                        "https://i.vimeocdn.com/video/98765_640", duration=2710)  # fmt: skip
        elif parts.path.startswith("/mediaccc/"):
            slug = parts.path.rsplit("/", 1)[-1]
            title, _ = TITLES.get(slug, ("", ""))
            if not title:
                return self.send(404, {"status": 404, "error": "Not Found"})
            self.send(200, {
                "guid": "0f4a5a1e-7f32-4b8e-9a0e-3c1f2d6e8b11", "slug": slug, "title": title,
                "subtitle": "", "persons": ["Ada Example", "Grace Sample"], "duration": 2460,
                "thumb_url": f"https://static.media.ccc.de/media/congress/2025/{slug}.jpg",
                "description": "How one team got rid of a bug class.",
            })  # fmt: skip
        elif parts.path == "/peertube/services/oembed":
            self.oembed(asked, "PeerTube", "", title="Self-hosting video, the hard parts")
        else:
            self.send(404, {"error": "no such endpoint"})

    def oembed(self, video: str, provider: str, thumbnail: str, **extra) -> None:
        title, author = TITLES.get(video, (extra.pop("title", ""), "A channel"))
        if not title:
            return self.send(404, {"error": "Not Found"})
        body = {"type": "video", "version": "1.0", "provider_name": provider, "title": title,
                "author_name": author, "html": "<iframe></iframe>", "width": 640, "height": 360,
                "thumbnail_url": thumbnail, **extra}  # fmt: skip
        self.send(200, body)

    def send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start() -> tuple[ThreadingHTTPServer, dict]:
    """The server, and the VIDEO_LOOKUP_ENDPOINTS setting that points at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hosts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    return server, {
        "youtube": f"{base}/youtube/oembed",
        "vimeo": f"{base}/vimeo/oembed.json",
        "mediaccc": f"{base}/mediaccc/",
        "peertube": f"{base}/peertube/services/oembed",
    }
