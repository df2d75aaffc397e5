"""Render editors' Markdown to sanitised HTML with heading anchors and a table of contents.

Markdown-it parses (CommonMark plus tables), then nh3 keeps only an explicit allow-list of
tags, attributes and URL schemes, so nothing an editor types can run script in a visitor's
browser. The output carries no inline styles (the CSP forbids them).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import NamedTuple

import nh3
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Bump when the rendering rules change so cached HTML rendered by older rules is redone.
RENDERER_VERSION = "1"
WORDS_PER_MINUTE = 200

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "ol": {"start"},
}
# Removed together with everything inside them (other unknown tags keep their text).
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})
# Ids the surrounding pages use; a heading must never take one of them.
RESERVED_IDS = frozenset(
    {
        "main",
        "site-search",
        "footer-visit",
        "footer-hours",
        "footer-links",
        "toc-heading",
        "cta-heading",
        "related-heading",
        "content",
    }
)
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Characters browsers ignore inside a URL scheme ("java\tscript:").
_URL_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]+")


class TocEntry(NamedTuple):
    """One heading in a document's table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class RenderedMarkdown:
    """Sanitised HTML, its table of contents (h2/h3) and the number of words in it."""

    html: str
    toc: list[TocEntry] = field(default_factory=list)
    word_count: int = 0

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.word_count)


def reading_minutes(word_count: int) -> int:
    """Return the reading time in whole minutes at 200 words a minute, at least 1."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def source_digest(text: str) -> str:
    """Return a fingerprint of ``text`` and the rendering rules, to tell stale caches."""
    return hashlib.sha256(f"{RENDERER_VERSION}\0{text}".encode()).hexdigest()


def _url_scheme(url: str) -> str | None:
    match = _SCHEME_RE.match(_URL_IGNORED_RE.sub("", url))
    return match.group(1).lower() if match else None


def _url_allowed(url: str, schemes: frozenset[str]) -> bool:
    scheme = _url_scheme(url)
    if scheme is None:
        # Relative URLs, fragments and protocol-relative URLs; never a scheme in disguise.
        return ":" not in url.split("/", 1)[0] or url.startswith("//")
    return scheme in schemes


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if _url_allowed(value, LINK_SCHEMES) else None
    if attribute == "src":
        return value if _url_allowed(value, IMAGE_SCHEMES) else None
    if attribute == "id":
        return value if _ID_RE.match(value) and value not in RESERVED_IDS else None
    if attribute == "start":
        return value if value.isdigit() and len(value) < 7 else None
    return value


def _is_external(url: str) -> bool:
    return url.startswith("//") or _url_scheme(url) in {"http", "https"}


class _Finisher(HTMLParser):
    """Re-serialise nh3's output, adding what the page needs.

    Adds rel="noopener noreferrer" to external links, unwraps links whose URL was
    refused, gives images that lack one an empty alt, and puts a keyboard-scrollable box
    around tables so wide tables never widen the page. Every attribute and text node is
    escaped again on the way out.
    """

    VOID = frozenset({"br", "hr", "img"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[bool] = []  # per open <a>: was it kept?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self.links.append("href" in values)
            if "href" not in values:
                return
            if _is_external(values["href"]):
                values["rel"] = "noopener noreferrer"
        elif tag == "img":
            values.setdefault("alt", "")
        elif tag == "table":
            self.out.append(
                '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">'
            )
        rendered = "".join(f' {name}="{escape(value)}"' for name, value in values.items())
        self.out.append(f"<{tag}{rendered}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or (tag == "a" and not (self.links and self.links.pop())):
            return
        self.out.append(f"</{tag}>")
        if tag == "table":
            self.out.append("</div>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))


def sanitize_html(html: str) -> str:
    """Keep only the allowed tags, attributes and URL schemes of ``html``."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    finisher = _Finisher()
    finisher.feed(cleaned)
    finisher.close()
    return "".join(finisher.out)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    # Let every link through the parser so a hostile one becomes a harmless <a> without href
    # (nh3 decides) rather than literal "javascript:" text on the page.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_MD = _parser()


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def _unique_anchor(text: str, used: set[str], prefix: str) -> str:
    base = f"{prefix}{slugify(text) or 'section'}"
    if not _ID_RE.match(base):
        base = f"section-{base}"
    anchor, n = base, 2
    while anchor in used or anchor in RESERVED_IDS:
        anchor = f"{base}-{n}"
        n += 1
    used.add(anchor)
    return anchor


def _count_words(tokens: Sequence[Token]) -> int:
    words = 0
    for token in tokens:
        if token.type == "inline":
            words += len(_inline_text(token).split())
        elif token.type in {"fence", "code_block"}:
            words += len(token.content.split())
    return words


def render_markdown(
    text: str, *, min_heading_level: int = 2, anchor_prefix: str = ""
) -> RenderedMarkdown:
    """Render Markdown ``text`` to sanitised HTML with anchored headings and a TOC.

    Heading levels are shifted so the first is never above ``min_heading_level`` and none
    skips a level (the page supplies the headings above); h2 and h3 enter the TOC.
    """
    tokens = _MD.parse(text or "")
    used: set[str] = set()
    toc: list[TocEntry] = []
    previous = min_heading_level - 1
    max_level = max(4, min_heading_level)
    for index, token in enumerate(tokens):
        if token.type not in {"heading_open", "heading_close"}:
            continue
        if token.type == "heading_close":
            token.tag = tokens[index - 2].tag  # heading_open, inline, heading_close
            continue
        requested = int(token.tag[1])
        level = min(max(requested, min_heading_level), previous + 1, max_level)
        previous = level
        token.tag = f"h{level}"
        heading_text = _inline_text(tokens[index + 1])
        anchor = _unique_anchor(heading_text, used, anchor_prefix)
        token.attrSet("id", anchor)
        if level in (2, 3):
            toc.append(TocEntry(level, heading_text, anchor))
    html = _MD.renderer.render(tokens, _MD.options, {})
    return RenderedMarkdown(html=sanitize_html(html), toc=toc, word_count=_count_words(tokens))


@dataclass
class TocNode:
    """A TOC heading with the headings one level below it."""

    text: str
    anchor: str
    children: list[TocNode] = field(default_factory=list)


def toc_nest(toc: Sequence[Sequence[object]]) -> list[TocNode]:
    """Nest a flat TOC (level, text, anchor) so each h3 sits under the h2 before it."""
    nodes: list[TocNode] = []
    for level, text, anchor in toc:
        node = TocNode(str(text), str(anchor))
        if level == 3 and nodes:
            nodes[-1].children.append(node)
        else:
            nodes.append(node)
    return nodes
