"""Markdown for human notes, rendered once and sanitised: no script, no event handlers, no styles."""

from __future__ import annotations

import functools
from typing import Any

_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h1", "h2", "h3",
         "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "del", "s"}


@functools.cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(markdown: str) -> str:
    import nh3

    html = _markdown().render(markdown)
    return nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
