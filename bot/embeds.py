"""Answers, article lists and stats -> Discord embeds and messages, always within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord
from discord.utils import escape_markdown

from bot.render import entry_day, ingest_summary, summary_title
from bot.replies import NO_ARTICLES_YET
from bot.wording import plural, shown_day
from index import MAX_LENGTH, Answer, ArticleInfo, Citation, Feed, IngestReport, Stats, Summary, SummaryEntry, Usage

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MESSAGE_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
ELLIPSIS = "…"
ANSWER_COLOUR = discord.Colour.blurple()
ABSTAIN_COLOUR = discord.Colour.light_grey()
FIELD_LIMIT = 25
AUTHOR_LIMIT = 60  # characters of a byline in a source line
DIGEST_HEADING = "**News digest**"
QUOTED_NOTE = "Sentences are quoted word for word from the articles cited."


def shorten(text: str, limit: int) -> str:
    """Cut text to `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + ELLIPSIS


def fit_lines(lines: Sequence[str], limit: int, separator: str = "\n") -> str:
    """Join whole lines while they fit in `limit`; a first line too long on its own is shortened."""
    kept: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (len(separator) if kept else 0)
        if size + extra > limit:
            if not kept:
                kept.append(shorten(line, limit))
            break
        kept.append(line)
        size += extra
    return separator.join(kept)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split plain text into messages of at most `limit` characters, at line breaks, else at spaces."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            parts, current = _flush(parts, current), ""
            parts.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts, current = _flush(parts, current), line
        else:
            current = candidate
    return _flush(parts, current)


def _flush(parts: list[str], current: str) -> list[str]:
    """Append the message being built, if it has any text."""
    return [*parts, current] if current.strip() else parts


def linked_title(title: str, url: str | None, limit: int = 200) -> str:
    """`[title](<url>)` (angle brackets stop Discord's link previews), or the title in bold without a url."""
    text = escape_markdown(shorten(title, limit)).replace("]", "\\]").replace("[", "\\[")
    return f"[{text}](<{url}>)" if url else f"**{text}**"


def source_line(citation: Citation) -> str:
    """`[n] [title](<url>) · outlet · by author · date`, and below it, small, the outlets that also reported it."""
    linked = linked_title(citation.title, citation.url)
    outlet = f" · {escape_markdown(citation.source)}" if citation.source else ""
    # A byline is shortened like a title: a list of ten contributors must not crowd the other sources out.
    author = f" · by {escape_markdown(shorten(citation.author, AUTHOR_LIMIT))}" if citation.author else ""
    line = f"[{citation.n}] {linked}{outlet}{author} · {shown_day(citation.published)}"
    return f"{line}\n{also_reported_line(citation)}" if citation.also_reported else line


def also_reported_line(citation: Citation, shown: int = 3, limit: int = 400) -> str:
    """`-# also reported by [Outlet](<url>), ... and 2 more`; without the links when they would not fit."""
    copies = citation.also_reported[:shown]
    more = len(citation.also_reported) - len(copies)
    tail = f" and {more} more" if more else ""
    linked = ", ".join(linked_title(c.source or c.title, c.url, 40) for c in copies)
    if len(linked) + len(tail) > limit:  # long urls: the names alone still say who else ran the story
        linked = ", ".join(linked_title(c.source or c.title, None, 40) for c in copies)
    return f"-# also reported by {linked}{tail}"


def blockquote(text: str) -> str:
    """A sentence as a Discord block quote, markdown escaped so it displays exactly as written."""
    return f"> {escape_markdown(text)}"


def quote_line(text: str, source: int, context: str | None = None) -> str:
    """A quoted sentence with its [n] marker, after its previous sentence in italics when it leans on it."""
    if context:
        return f"> *{escape_markdown(context)}* {escape_markdown(text)} **[{source}]**"
    return f"{blockquote(text)} **[{source}]**"


def answer_embed(answer: Answer) -> discord.Embed:
    """The quoted sentences with [n] markers, then the numbered sources; whole quotes only."""
    sources = fit_lines([source_line(c) for c in answer.sources], FIELD_VALUE_LIMIT)
    room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - len(sources) - TITLE_LIMIT)
    quotes = [quote_line(q.text, q.source, q.context) for q in answer.quotes]
    embed = discord.Embed(title=shorten(answer.question, TITLE_LIMIT), colour=ANSWER_COLOUR,
                          description=fit_lines(quotes, room, separator="\n\n"))
    embed.add_field(name="Sources", value=sources, inline=False)
    embed.set_footer(text=QUOTED_NOTE)
    return embed


def abstention_embed(answer: Answer, articles: int, oldest: date | None, newest: date | None) -> discord.Embed:
    """A friendly 'not in my articles', saying what the library does cover."""
    if articles:
        span = f" from {shown_day(oldest)} to {shown_day(newest)}" if oldest else ""
        covered = f"I know {plural(articles, 'article')}{span}."
    else:
        covered = NO_ARTICLES_YET
    text = (f"I couldn't find this in the articles I've read, so I won't guess. {covered}\n"
            "Try naming the people, places or dates involved, or see /sources.")
    if answer.nearest:
        nearest = [f"- {linked_title(c.title, c.url, 150)} · {shown_day(c.published)}" for c in answer.nearest]
        text += "\nThe nearest articles I have:\n" + fit_lines(nearest, DESCRIPTION_LIMIT - len(text) - 40)
    return discord.Embed(title=shorten(answer.question, TITLE_LIMIT), description=text, colour=ABSTAIN_COLOUR)


def article_line(article: ArticleInfo) -> str:
    """One article in a list: date, linked title, outlet and the id commands take."""
    linked = linked_title(article.title, article.url, 150)
    outlet = f" · {escape_markdown(article.source)}" if article.source else ""
    return f"`{shown_day(article.published)}` {linked}{outlet}\n-# id: `{shorten(article.id, 120)}`"


def articles_embed(articles: Sequence[ArticleInfo], page: int, pages: int, total: int,
                   query: str | None) -> discord.Embed:
    """One page of the article list."""
    title = f"Articles matching “{shorten(query, 100)}”" if query else "Articles I know"
    body = fit_lines([article_line(a) for a in articles], DESCRIPTION_LIMIT, separator="\n\n")
    embed = discord.Embed(title=title, description=body or "No articles.", colour=ANSWER_COLOUR)
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {plural(total, 'article')}")
    return embed


def article_embed(article: ArticleInfo, lead: Sequence[str]) -> discord.Embed:
    """One article's details and its opening sentences, verbatim."""
    embed = discord.Embed(title=shorten(article.title, TITLE_LIMIT), url=article.url, colour=ANSWER_COLOUR,
                          description=fit_lines([blockquote(s) for s in lead], DESCRIPTION_LIMIT, "\n\n"))
    embed.add_field(name="Outlet", value=escape_markdown(article.source or "unknown"), inline=True)
    embed.add_field(name="Published", value=shown_day(article.published), inline=True)
    embed.add_field(name="Id", value=f"`{shorten(article.id, FIELD_VALUE_LIMIT - 2)}`", inline=False)
    if article.also_reported:
        copies = [f"{linked_title(c.source or c.title, c.url, 100)} · {shown_day(c.published)}"
                  for c in article.also_reported]
        embed.add_field(name="Also reported by", value=fit_lines(copies, FIELD_VALUE_LIMIT), inline=False)
    return embed


def pack_lines(lines: Sequence[str], limit: int = FIELD_VALUE_LIMIT) -> list[str]:
    """Whole lines packed into as few values of at most `limit` characters as they fill (a longer one is shortened)."""
    values: list[str] = []
    for line in (shorten(line, limit) for line in lines):
        if values and len(values[-1]) + 1 + len(line) <= limit:
            values[-1] += "\n" + line
        else:
            values.append(line)
    return values


def _source_fields(summary: Summary, count: int) -> list[tuple[str, str]]:
    """(name, value) fields listing the first `count` sources, as many fields as they need."""
    values = pack_lines([source_line(c) for c in summary.sources[:count]])
    return [("Sources" if n == 0 else "Sources (continued)", value) for n, value in enumerate(values)]


def _embed_size(title: str, description: str, fields: Sequence[tuple[str, str]], footer: str) -> int:
    """Characters Discord counts against the 6,000 of one embed."""
    return len(title) + len(description) + sum(len(name) + len(value) for name, value in fields) + len(footer)


def _entry_line(kind: str, entry: SummaryEntry) -> str:
    """One quoted sentence with its [n] marker; in a timeline, under its day."""
    quoted = quote_line(entry.text, entry.source)
    return f"**{escape_markdown(entry_day(entry))}**\n{quoted}" if kind == "timeline" else quoted


def _fitting_entries(summary: Summary, title: str, footer: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The leading entries, whole, that fit one embed with the sources they cite (a lone giant one is shortened)."""
    lines = [_entry_line(summary.kind, entry) for entry in summary.entries]
    kept: list[str] = []
    fields: list[tuple[str, str]] = []
    cited = 0
    for line, entry in zip(lines, summary.entries, strict=True):
        # Sources are numbered by first quotation, so leading entries always cite sources 1..cited.
        trial = _source_fields(summary, max(cited, entry.source))
        description = "\n\n".join([*kept, line])
        if (len(description) > DESCRIPTION_LIMIT or len(trial) > FIELD_LIMIT
                or _embed_size(title, description, trial, footer) > EMBED_TOTAL_LIMIT):
            break
        kept, fields, cited = [*kept, line], trial, max(cited, entry.source)
    if not kept:
        fields = _source_fields(summary, summary.entries[0].source)
        room = min(DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - _embed_size(title, "", fields, footer))
        kept = [shorten(lines[0], room)]
    return kept, fields


def summary_embed(summary: Summary) -> discord.Embed:
    """A summary or a timeline: quoted sentences with [n] markers and numbered sources, within every limit."""
    title = shorten(summary_title(summary), TITLE_LIMIT)
    if summary.empty_library:
        return discord.Embed(title=title, description=NO_ARTICLES_YET, colour=ABSTAIN_COLOUR)
    if summary.empty:
        assert summary.reason is not None  # an empty summary always says why
        text = f"{summary.reason[0].upper()}{summary.reason[1:]}. Try other words or another period, or see /sources."
        return discord.Embed(title=title, description=text, colour=ABSTAIN_COLOUR)
    widest_footer = f"{QUOTED_NOTE} {MAX_LENGTH} more sentences did not fit."
    kept, fields = _fitting_entries(summary, title, widest_footer)
    embed = discord.Embed(title=title, description="\n\n".join(kept), colour=ANSWER_COLOUR)
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    left_out = len(summary.entries) - len(kept)
    embed.set_footer(text=QUOTED_NOTE + (f" {plural(left_out, 'more sentence')} did not fit."
                                         if left_out else ""))
    return embed


def ingest_message(report: IngestReport) -> str:
    """The closing line of an ingest and the first few problems."""
    lines = [ingest_summary(report)]
    lines += [f"- {shorten(feed, 150)} is an RSS or Atom feed, not an article: follow it with `/feed add`"
              for feed in report.feeds]
    lines += [f"- {shorten(error, 180)}" for error in report.errors[:5]]
    if len(report.errors) > 5:
        lines.append(f"- and {len(report.errors) - 5} more")
    return fit_lines(lines, 1900)


def stats_embed(stats: Stats, usage: Usage) -> discord.Embed:
    """/stats: what the library holds for a server, and how its questions went."""
    rate = f"{usage.abstained / usage.questions:.0%}" if usage.questions else "-"
    embed = discord.Embed(title="newsbot in this server", colour=ANSWER_COLOUR)
    embed.add_field(name="Articles", value=f"{stats.articles:,}")
    embed.add_field(name="Sentences", value=f"{stats.sentences:,}")
    embed.add_field(name="Questions", value=f"{usage.questions:,}")
    embed.add_field(name="Not answered", value=rate)
    embed.add_field(name="Feedback", value=f"👍 {usage.helpful} · 👎 {usage.unhelpful}")
    gaps = [f"- {escape_markdown(shorten(q, 150))}" for q in usage.gaps]
    embed.add_field(name="Recent questions I couldn't answer", value=fit_lines(gaps, 1024) or "None", inline=False)
    return embed


def followed_feed_line(number: int, feed: Feed) -> str:
    """One followed feed in /feed list: its linked title, articles read, and any trouble."""
    if feed.gone_at:
        state = "**gone**: the site answered 410 Gone, so it is no longer read (`/feed remove` unfollows it)"
    elif feed.failures:
        state = f"failing: {shorten(feed.last_error or '', 150)}"
    else:
        state = "checked" if feed.checked_at else "not polled yet"
    return f"`{number}` {linked_title(feed.title or feed.url, feed.url, 80)} · {feed.articles} articles · {state}"


def feeds_embed(feeds: Sequence[Feed]) -> discord.Embed:
    """/feed list: a server's feeds, numbered as /feed remove takes them."""
    lines = [followed_feed_line(n, feed) for n, feed in enumerate(feeds, start=1)]
    return discord.Embed(title="Feeds this server follows", colour=ANSWER_COLOUR,
                         description=fit_lines(lines, 4000) or "None yet: add one with /feed add.")
