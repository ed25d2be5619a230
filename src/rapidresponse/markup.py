"""Markdown for human notes, rendered once and sanitised: no script, no event handlers, no styles."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False}).enable("table")
_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3",
         "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "s"}


def render(markdown: str) -> str:
    html = _md.render(markdown)
    return nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
