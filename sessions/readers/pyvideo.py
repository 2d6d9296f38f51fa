"""A pyvideo/data conference folder: category.json and videos/*.json.

    category.json      {"title": "PyCon US 2019"}
    videos/slug.json   {"title", "speakers": [...], "description", "duration" (s),
                        "recorded": "2019-05-03", "language": "eng",
                        "thumbnail_url", "tags": [...],
                        "videos": [{"type": "youtube", "url": "..."}, ...]}

The file name is the talk's slug and its key. `videos[].length` is deprecated in
pyvideo's schema and ignored; `duration` is the video's real length.
"""

from pathlib import Path

from sessions import bulk, video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.readers.common import (
    MAX_BYTES,
    day_of,
    duration,
    kind_of,
    load_json,
    need,
    one_line,
    paragraphs,
    speakers,
    year_of,
)


@bulk.no_cycle_collection()
def read_folder(folder: Path) -> ParsedCatalog:
    category_file = folder / "category.json"
    if not category_file.is_file():
        raise CatalogError(None, f"{folder}: no category.json (is this a pyvideo folder?)")
    files = sorted((folder / "videos").glob("*.json"))
    total = category_file.stat().st_size + sum(f.stat().st_size for f in files)
    if total > MAX_BYTES:
        raise CatalogError(None, f"{folder} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    category = load_json(category_file.read_bytes(), "category.json")
    videos = [(f"videos/{f.name}", f.stem, load_json(f.read_bytes(), f"videos/{f.name}"))
              for f in files]  # fmt: skip
    return read(category, videos)


def read(category, videos: list[tuple[str, str, dict]]) -> ParsedCatalog:
    title = one_line(need(category, "title", str, "category.json"), 200)
    talks, skipped = [], []
    for where, slug, data in videos:
        if not isinstance(data, dict):
            raise CatalogError(where, "must be a JSON object")
        name = one_line(data.get("title"), 300)
        if not name:
            skipped.append(f"{where}: a video without a title")
            continue
        links = [v.get("url", "") for v in data.get("videos") or [] if isinstance(v, dict)]
        recordings = [r for r in map(video.recording_from_url, links) if r]
        if not recordings:
            skipped.append(f"{where}: {name[:80]!r} has no video we can open")
            continue
        talks.append(
            ParsedTalk(
                line=where,
                kind=kind_of("", name),
                title=name,
                key=(data.get("slug") or slug)[:200],
                speaker_name=speakers(data.get("speakers")),
                verdict=paragraphs(data.get("description") or data.get("summary")),
                recordings=recordings,
                duration_seconds=duration(data.get("duration"), f"{where}.duration"),
                language=one_line(data.get("language"), 20),
                thumbnail_url=data.get("thumbnail_url") or "",
                held_on=day_of(data.get("recorded")),
                tags=[one_line(t, 100) for t in data.get("tags") or [] if one_line(t, 100)][:5],
            )
        )
    if not talks:
        raise CatalogError("videos", "no talks found in this folder")
    return ParsedCatalog(
        title=title,
        intro="\n\n".join(paragraphs(category.get("description"))),
        talks=talks,
        format="pyvideo",
        year=year_of(title) or next((t.held_on.year for t in talks if t.held_on), None),
        skipped=skipped,
    )
