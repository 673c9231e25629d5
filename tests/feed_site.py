"""Feeds written for the tests (RSS 2.0, Atom, RSS 0.91, teasers only, broken, a bomb) and a site serving them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web

from tests.local_site import news_page

HITS = web.AppKey("hits", Counter)
DOWN = web.AppKey("down", set)
# Paths the test has told to answer with an HTTP status and headers of its choosing: path -> (status, headers).
REPLIES = web.AppKey("replies", dict)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ETAG = '"v1"'

STORIES = [
    ("Harbour crane inspection finds rust", "Inspectors found rust on three of the harbour's cranes on Monday.",
     "The port authority said the cranes would be repaired before the summer season."),
    ("Library reopens after flood repairs", "The central library reopened on Tuesday after six months of repairs.",
     "Volunteers helped move forty thousand books back onto the shelves."),
    ("Tram line extension approved", "The council approved a two-kilometre extension of the northern tram line.",
     "Construction is expected to start in the autumn and last two years."),
    ("Bakery wins regional bread prize", "A family bakery on Mill Street won the regional bread prize on Thursday.",
     "The judges praised its rye loaf, which has been baked to the same recipe since 1952."),
    ("School roof replaced over holidays", "Workers replaced the leaking roof of the primary school over the holidays.",
     "Pupils returned on Monday to classrooms that were dry for the first time in years."),
    ("Night buses return to the city", "Night buses returned to six city routes on Friday after a two-year pause.",
     "The operator said demand had recovered since the pandemic."),
]


def story_html(n: int) -> str:
    """Story n's body as a feed's HTML content."""
    _, first, second = STORIES[n]
    return f"<p>{first}</p><p>{second}</p>"


def rss2(base: str) -> str:
    """RSS 2.0 with full text in content:encoded and dates in three formats (and one item without a date)."""
    dates = ["Tue, 14 Mar 2023 08:00:00 GMT", "Wed, 15 Mar 2023 23:30:00 -0500", "2023-03-16T06:00:00Z", None]
    items = "".join(
        f"<item><title>{STORIES[n][0]}</title><link>{base}/story/{n}?utm_source=rss</link>"
        f"<guid isPermaLink=\"false\">rss2-{n}</guid>{f'<pubDate>{d}</pubDate>' if d else ''}"
        "<author>desk@example.com (Mara Lint)</author>"
        f"<description>{STORIES[n][1][:40]}...</description>"
        f"<content:encoded><![CDATA[{story_html(n)}]]></content:encoded></item>"
        for n, d in enumerate(dates))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example Gazette</title>'
            f"<link>{base}/</link><description>Local news</description>{items}</channel></rss>")


def wire(base: str) -> str:
    """Another outlet's RSS running stories 0 and 1 word for word, days later: near-duplicates of Example Gazette's."""
    items = "".join(
        f"<item><title>{STORIES[n][0]}</title><link>{base}/wire/{n}</link><guid>wire-{n}</guid>"
        f"<pubDate>Mon, 20 Mar 2023 08:00:00 GMT</pubDate><content:encoded><![CDATA[{story_html(n)}]]>"
        "</content:encoded></item>" for n in (0, 1))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire Service</title>'
            f"<link>{base}/</link><description>Wire copy</description>{items}</channel></rss>")


def atom(base: str) -> str:
    """Atom with relative links, full content, and published/updated dates in several forms."""
    entries = [(2, "<published>2023-03-14T01:00:00+02:00</published><updated>2023-03-20T00:00:00Z</updated>"),
               (3, "<updated>2023-03-17T10:00:00Z</updated>"), (4, "<published>2023-03-18</published>")]
    body = "".join(
        f'<entry><title>{STORIES[n][0]}</title><link rel="alternate" href="story/{n}"/><id>urn:atom:{n}</id>'
        f'{dates}<summary>{STORIES[n][1]}</summary><content type="html">{_escape(story_html(n))}</content></entry>'
        for n, dates in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/">'
            f'<title>Atom Courier</title><link href="{base}/"/><id>urn:atom</id>'
            f"<updated>2023-03-20T00:00:00Z</updated>{body}</feed>")


def rss091(base: str) -> str:
    """RSS 0.91 (Netscape's DTD declared, as old feeds do): teasers only, so the pages are fetched."""
    items = "".join(f"<item><title>{STORIES[n][0]}</title><link>{base}/story/{n}</link>"
                    f"<description>{STORIES[n][1][:50]}...</description></item>" for n in (0, 5))
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
            '0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
            f"<title>Old Times</title><link>{base}/</link><description>News</description><language>en</language>"
            f"{items}</channel></rss>")


def teasers(base: str, count: int = 6, missing: int | None = None) -> str:
    """RSS 2.0 whose items carry one-line summaries only; item `missing` links to a page that is not there."""
    items = "".join(
        f"<item><title>{STORIES[n][0]}</title><link>{base}/{'gone' if n == missing else 'story'}/{n}</link>"
        "<author>desk@example.com (Teaser Desk)</author>"
        f"<pubDate>Mon, 2{n} Mar 2023 09:00:00 +0000</pubDate><description>{STORIES[n][1][:60]}…</description></item>"
        for n in range(count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Teaser Daily</title><link>{base}/</link>'
            f"<description>Summaries</description>{items}</channel></rss>")


BOMB = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
        '<rss version="2.0"><channel><title>&f;</title><item><title>&f;</title><link>http://a.example/</link>'
        "</item></channel></rss>")
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            '<rss version="2.0"><channel><title>&secret;</title></channel></rss>')
BROKEN = '<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off</title><item><title>Half an ite'


def _escape(markup: str) -> str:
    """HTML inside an XML element, escaped."""
    return markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@web.middleware
async def count_hits(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count each request by path; answer 503 for the paths the test has taken down, and as told for others."""
    request.app[HITS][request.path] += 1
    if request.path in request.app[DOWN]:
        return web.Response(status=503, text="down for maintenance")
    if request.path in request.app[REPLIES]:
        status, headers = request.app[REPLIES][request.path]
        return web.Response(status=status, headers=headers, text="not now")
    return await handler(request)


def serve_xml(make: Callable[[str], str]) -> Handler:
    """A handler serving the feed `make` writes for the site's base URL."""
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=make(f"http://{request.host}"), content_type="application/rss+xml")
    return handler


async def story(request: web.Request) -> web.Response:
    """A story's page, in a real site's clutter."""
    title, first, second = STORIES[int(request.match_info["n"])]
    return web.Response(text=news_page(title, [first, second]), content_type="text/html")


async def etag(request: web.Request) -> web.Response:
    """A feed that answers 304 when asked with its own ETag."""
    if request.headers.get("If-None-Match") == ETAG:
        return web.Response(status=304, headers={"ETag": ETAG})
    return web.Response(text=teasers(f"http://{request.host}", 3), content_type="application/rss+xml",
                        headers={"ETag": ETAG, "Last-Modified": "Mon, 20 Mar 2023 09:00:00 GMT"})


async def home(request: web.Request) -> web.Response:
    """A site's front page that names its Atom feed, as sites do for readers to find."""
    page = news_page("Front page", [STORIES[0][1]]).replace(
        "</head>", '<link rel="stylesheet" href="/site.css"><link href="../atom.xml" type="application/atom+xml" '
        'rel="alternate" title="Atom Courier"></head>')
    return web.Response(text=page, content_type="text/html")


async def slow(request: web.Request) -> web.Response:
    """A feed that takes a second to answer (tests time out sooner)."""
    await asyncio.sleep(1.0)
    return web.Response(text=rss2(f"http://{request.host}"), content_type="application/rss+xml")


def build_feed_site() -> web.Application:
    """Every feed and page above; /etag.xml answers 304 to its ETag; HITS counts hits; DOWN, REPLIES answer as told."""
    app = web.Application(middlewares=[count_hits])
    app[HITS] = Counter()
    app[DOWN] = set()
    app[REPLIES] = {}
    routes = {"/rss2.xml": serve_xml(rss2), "/atom.xml": serve_xml(atom), "/rss091.xml": serve_xml(rss091),
              "/wire.xml": serve_xml(wire),
              "/teasers.xml": serve_xml(teasers), "/one-gone.xml": serve_xml(lambda base: teasers(base, 3, missing=1)),
              "/bomb.xml": serve_xml(lambda base: BOMB), "/external.xml": serve_xml(lambda base: EXTERNAL),
              "/broken.xml": serve_xml(lambda base: BROKEN), "/etag.xml": etag, "/slow.xml": slow, "/story/{n}": story,
              "/home/": home}
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    return app
