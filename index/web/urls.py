"""Canonical URLs: one article reached through tracking links, AMP pages or odd spellings gets one URL (and id)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from index.text import one_line

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that say how a reader arrived, never which article they read.
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "twclid", "mc_cid", "mc_eid", "ref",
    "ref_src", "ref_url", "referrer", "cmpid", "ocid", "smid", "s_cid", "_ga", "_gl", "cmp", "share",
    "__twitter_impression",
    "amp",  # amp=1, amp=true: the AMP rendering of the same article
})
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")
_AMP_VALUES = {"outputtype": "amp"}  # outputType=amp, as some outlets ask for their AMP pages
_AMP_CACHE = re.compile(r"^/[cv]/(?P<secure>s/)?(?P<rest>[^/].*)$")


def canonical_url(url: str) -> str:
    """Normalise an http(s) URL so one article always gets the same id; raise ValueError otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f'not an http(s) URL "{one_line(url)[:80]}"')
    if host.endswith(".cdn.ampproject.org") and (cached := _AMP_CACHE.match(parts.path)):
        # Google's AMP cache: /c/s/www.example.com/story serves https://www.example.com/story.
        origin = "https" if cached["secure"] else "http"
        return canonical_url(f"{origin}://{cached['rest']}" + (f"?{parts.query}" if parts.query else ""))
    host = host.removeprefix("amp.")
    host = f"[{host}]" if ":" in host else host
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


def _path(path: str) -> str:
    """The path without AMP markers (/amp/ segments, a .amp suffix) or trailing slashes."""
    segments = [segment for segment in path.split("/") if segment.lower() != "amp"]
    last = segments[-1] if segments else ""
    if last.lower().endswith(".amp"):
        segments[-1] = last[:-4]
    elif ".amp." in last.lower():  # story.amp.html
        at = last.lower().rindex(".amp.")
        segments[-1] = last[:at] + last[at + 4:]
    path = "/".join(segments)
    return re.sub("/{2,}", "/", path).rstrip("/") or "/"


def _query(query: str) -> str:
    """The query without tracking or AMP parameters, sorted so their order does not matter."""
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        name = key.lower()
        if name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES) or _AMP_VALUES.get(name) == value.lower():
            continue
        kept.append((key, value))
    return urlencode(sorted(kept), quote_via=quote)
