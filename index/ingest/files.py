"""Read article files (.txt, .md, .html, .json, .jsonl) into Articles; index/ingest/folders.py lists them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin

from index.errors import EngineError
from index.ingest.dates import parse_date
from index.ingest.jsonlines import lines, parse_line
from index.ingest.markup import extract_html, split_front_matter, strip_markdown
from index.models import Article
from index.text import MB, one_line
from index.web.urls import canonical_url

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")

_BINARY_PROBE = 8192
_MAX_TITLE_LINE = 150


class SourceError(EngineError):
    """A file or record that cannot be read; the message is one line naming it."""


class RecordError(SourceError):
    """One record of a file that holds many cannot be read; the file's other records are."""


def read_file(path: Path, max_file_mb: float = 10.0) -> Iterator[Article | SourceError]:
    """Yield a file's articles; bad records come as SourceError values, bad files raise it."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    _check_suffix(path)
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as handle:
                yield from _read_jsonl(path, handle, max_file_mb)
        else:
            _check_size(path, path.stat().st_size, max_file_mb)
            yield from _parse(path, _decode(path, path.read_bytes()))
    except OSError as error:
        raise SourceError(f"{path}: cannot read ({error.strerror})") from None


def read_upload(name: str, data: bytes, max_file_mb: float = 10.0) -> Iterator[Article | SourceError]:
    """Yield the articles of an uploaded file's bytes as read_file would from a file of that name (no disk)."""
    path = Path(name)  # only named: its suffix picks the parser, and it is the articles' origin
    _check_suffix(path)
    if path.suffix.lower() == ".jsonl":
        yield from _read_jsonl(path, io.BytesIO(data), max_file_mb)
    else:
        _check_size(path, len(data), max_file_mb)
        yield from _parse(path, _decode(path, data))


def _check_suffix(path: Path) -> None:
    """Raise SourceError unless the file's suffix names a kind of file newsbot reads."""
    if (suffix := path.suffix.lower()) not in SUPPORTED_SUFFIXES:
        kind = suffix or "no extension"
        raise SourceError(f"{path}: unsupported file type ({kind}); newsbot reads {' '.join(SUPPORTED_SUFFIXES)}")


def _parse(path: Path, text: str) -> Iterator[Article | SourceError]:
    """The articles of a whole file's text, parsed as its suffix says (JSON Lines are streamed instead)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        yield from _read_json(path, text)
    elif suffix in (".html", ".htm"):
        yield _read_html(path, text)
    else:
        yield _read_plain(path, text, markdown=suffix == ".md")


def _check_size(path: Path, size: int, max_file_mb: float) -> None:
    """Raise SourceError if a whole file is over the size limit."""
    if size > max_file_mb * MB:
        limit = f"the {max_file_mb:g} MB limit for one file (ingest.max_file_mb)"
        raise SourceError(f"{path}: {size / MB:.1f} MB is over {limit}")


def _decode(path: Path, data: bytes) -> str:
    """A whole file's bytes as UTF-8 text, raising SourceError if they are not text."""
    _check_text_start(path, data[:_BINARY_PROBE])
    if (nul := data.find(b"\0")) >= 0:  # the start looked like text, but a binary tail would be stored as words
        raise SourceError(f"{path}: looks like a binary file, not text (a NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        raise SourceError(f"{path}: not valid UTF-8 ({where}); save it as UTF-8") from None
    if not text.strip():
        raise SourceError(f"{path}: empty file")
    return "\n".join(text.splitlines())


def _check_text_start(path: Path, head: bytes) -> None:
    """Raise SourceError if a file's first bytes show it is empty or not UTF-8 text."""
    if not head:
        raise SourceError(f"{path}: empty file")
    # UTF-16 is full of NUL bytes, but deserves a more useful message than "binary".
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{path}: saved as UTF-16; save it as UTF-8")
    if b"\0" in head:
        raise SourceError(f"{path}: looks like a binary file, not text")


def _read_jsonl(path: Path, handle: BinaryIO, max_line_mb: float) -> Iterator[Article | SourceError]:
    """Stream a JSON Lines file one record at a time, so its size does not matter; each line's does."""
    seen_record = False
    _check_text_start(path, handle.read(_BINARY_PROBE))
    handle.seek(0)
    for number, raw in enumerate(lines(handle, int(max_line_mb * MB)), start=1):
        if isinstance(raw, bytes) and not raw.strip():
            continue
        seen_record = True
        origin = f"{path}:{number}"
        if isinstance(raw, int):
            limit = f"the {max_line_mb:g} MB limit for one file or record (ingest.max_file_mb)"
            yield SourceError(f"{origin}: the line is {raw / MB:.1f} MB, over {limit}")
            continue
        try:
            yield article_from_record(parse_line(raw), origin)
        except ValueError as error:
            yield RecordError(f"{origin}: {error}")
    if not seen_record:
        raise SourceError(f"{path}: empty file")


def _read_json(path: Path, text: str) -> Iterator[Article | SourceError]:
    """Yield the records of a JSON file: one object, a list of them, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except RecursionError:
        raise SourceError(f"{path}: JSON nested too deeply") from None
    if isinstance(data, dict):
        data = data["articles"] if isinstance(data.get("articles"), list) else [data]
    if not isinstance(data, list):
        raise SourceError(f'{path}: expected an article object, a list of them or {{"articles": [...]}}')
    if not data:
        raise SourceError(f"{path}: no articles in the list")
    for number, record in enumerate(data, start=1):
        try:
            yield article_from_record(record, str(path))
        except ValueError as error:
            if len(data) > 1:
                yield RecordError(f"{path}: record {number}: {error}")
            else:
                yield SourceError(f"{path}: {error}")


def article_from_record(record: dict, origin: str) -> Article:
    """Build an Article from one JSON record, raising ValueError with a short reason if unusable."""
    if not isinstance(record, dict):  # a parsed JSON line can be any value
        raise ValueError("not a JSON object")
    key, text = _field(record, "text", "body")
    if key is None:
        raise ValueError('no "text" or "body"')
    if not isinstance(text, str):
        raise ValueError(f'"{key}" is not a string')
    text = _clean(text)
    if not text:
        raise ValueError(f'"{key}" is empty')
    url = _string(record, "url")
    given_id = record.get("id")
    if given_id is not None and (isinstance(given_id, bool) or not isinstance(given_id, str | int)):
        raise ValueError('"id" is not a string')
    title = one_line(_string(record, "title")) or "Untitled"
    return _article(title, text, origin, url=canonical_url(url) if url and url.strip() else None,
                    source=_string(record, "source", "outlet"), author=_string(record, "author"),
                    published=parse_date(_field(record, "published", "date")[1]),
                    given_id=None if given_id is None else str(given_id))


def _field(record: dict, *keys: str) -> tuple[str | None, Any]:
    """Return the first of several alternative keys that has a value, and that value."""
    for key in keys:
        if record.get(key) is not None:
            return key, record[key]
    return None, None


def _string(record: dict, *keys: str) -> str | None:
    """Return an optional string field, raising ValueError if it holds something else."""
    key, value = _field(record, *keys)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'"{key}" is not a string')
    return value


def _read_plain(path: Path, text: str, markdown: bool) -> Article:
    """Build the Article of a .txt or .md file, reading optional front matter first."""
    meta, body = split_front_matter(text)
    body = _clean(strip_markdown(body) if markdown else body)
    title = one_line(meta.get("title"))
    if not title:
        title, body = _split_title(body)
    body = _drop_repeated_title(title, body)
    if not body:
        raise SourceError(f"{path}: no article text in the file")
    try:
        published = parse_date(meta.get("published") or meta.get("date"))
        url = canonical_url(meta["url"]) if meta.get("url") else None
    except ValueError as error:
        raise SourceError(f"{path}: {error}") from None
    return _article(title or _title_from_stem(path), body, str(path), url=url,
                    source=meta.get("source") or meta.get("outlet"), author=meta.get("author"), published=published,
                    given_id=meta.get("id"))


def _split_title(body: str) -> tuple[str, str]:
    """Take the first paragraph as the title if it is one short line that is not a sentence."""
    first, _, rest = body.partition("\n\n")
    # A multi-line first paragraph is hard-wrapped prose and a final full stop marks
    # a sentence; neither is a headline, and taking it would lose article text.
    if rest and "\n" not in first and len(first) <= _MAX_TITLE_LINE and not first.endswith("."):
        return first.strip(), rest
    return "", body


def _drop_repeated_title(title: str, body: str) -> str:
    """Remove a first paragraph that only repeats the title, as a page's <h1> or a Markdown heading does."""
    first, _, rest = body.partition("\n\n")
    return rest if title and first.strip().casefold() == title.casefold() else body


def _title_from_stem(path: Path) -> str:
    """Make a title from a file name, for files that give none."""
    return " ".join(re.split(r"[-_\s]+", path.stem)).strip() or "Untitled"


def _read_html(path: Path, html: str) -> Article:
    """Build the Article of an HTML file from its main text and metadata."""
    return article_from_html(html, str(path), _title_from_stem(path))


def article_from_html(html: str, origin: str, fallback_title: str, fallback_url: str | None = None) -> Article:
    """Build the Article of an HTML page (a file or a fetched URL) from its main text and metadata."""
    page = extract_html(html)
    text = _drop_repeated_title(page.title, page.text) if page is not None else ""
    if page is None or not text:
        raise SourceError(f"{origin}: no article text found in the HTML")
    url = fallback_url
    with contextlib.suppress(ValueError):  # an odd canonical link: the page is still worth reading
        # The page's own canonical link names the article (an AMP page's points at the full one); relative to its URL.
        url = canonical_url(urljoin(fallback_url or "", page.url)) if page.url else fallback_url
    return _article(page.title or fallback_title, text, origin, url=url, source=page.sitename, author=page.author,
                    published=date.fromisoformat(page.date) if page.date else None)


def content_id(title: str, text: str) -> str:
    """Make a stable id from an article's content, for articles with neither id nor URL."""
    normalised = f"{one_line(title)}\n{one_line(text)}"
    return "sha1:" + hashlib.sha1(normalised.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _article(title: str, text: str, origin: str, *, url: str | None = None, source: str | None = None,
             author: str | None = None, published: date | None = None, given_id: str | None = None) -> Article:
    """Assemble an Article with its id: the given id, else the canonical URL, else a content hash."""
    article_id = (given_id or "").strip() or url or content_id(title, text)
    return Article(article_id, title, text, url, one_line(source) or None, published, origin,
                   author=one_line(author) or None)


def _clean(text: str) -> str:
    """Collapse spaces within lines and runs of blank lines, keeping paragraph breaks and each line's indentation."""
    # Indentation reaches the splitter: in hard-wrapped wire copy an indented line starts a paragraph.
    lines = "\n".join(_clean_indented(line) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines).strip("\n")


def _clean_indented(line: str) -> str:
    """A line's spaces collapsed after its indentation, which stays; a blank line made empty."""
    words = one_line(line)
    return line[:len(line) - len(line.lstrip(" \t"))] + words if words else ""


