"""Files a staff member previewed, kept for the Import button that follows.

Outside the database (a 20 MB schedule does not belong in the cache table, nor in its
backups): one file per preview under IMPORT_PREVIEW_DIR, named by the person and a
random token, gone after PREVIEW_SECONDS. With several app servers the folder must be
shared by them (or the person gives the file again).
"""

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

PREVIEW_SECONDS = 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _folder() -> Path:
    folder = Path(settings.IMPORT_PREVIEW_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(user_id: int, token: str) -> tuple[Path, Path] | None:
    if not TOKEN.fullmatch(token):
        return None  # never a path of someone's choosing
    stem = _folder() / f"{int(user_id)}-{token}"
    return stem.with_suffix(".bin"), stem.with_suffix(".json")


def _sweep(now: float) -> None:
    """Remove every preview past its time (each keep does this; nothing else has to)."""
    for path in _folder().glob("*-*.*"):
        try:
            if now - path.stat().st_mtime > PREVIEW_SECONDS:
                path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass


def keep(user_id: int, raw: bytes, meta: dict) -> str:
    """Keep raw for this person; the token that takes it back."""
    now = time.time()
    _sweep(now)
    token = secrets.token_urlsafe(16)
    data, info = _paths(user_id, token)
    tmp = data.with_suffix(".part")
    tmp.write_bytes(raw)
    tmp.replace(data)
    info.write_text(json.dumps(meta))
    return token


def take(user_id: int, token: str) -> tuple[bytes, dict] | None:
    """The bytes and details kept under token for this person, if still there."""
    paths = _paths(user_id, token)
    if paths is None:
        return None
    data, info = paths
    try:
        if time.time() - data.stat().st_mtime > PREVIEW_SECONDS:
            forget(user_id, token)
            return None
        return data.read_bytes(), json.loads(info.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def forget(user_id: int, token: str) -> None:
    for path in _paths(user_id, token) or ():
        path.unlink(missing_ok=True)
