"""Documents typeset from Markdown: a whole HTML page (an email's HTML part) and an A4 PDF
(WeasyPrint, the ``pdf`` extra, in fonts with Cyrillic and Kazakh letters). What people wrote is
sanitised on the way (``markup.render``): no script, no styles of theirs."""

from __future__ import annotations

import html

from .extras import need
from .markup import render

CSS = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", "Liberation Sans", "Noto Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #bbb; padding: 2pt 4pt; text-align: left; }
"""


def page(markdown: str, *, title: str, language: str) -> str:
    """``markdown`` as a standalone HTML document (styles inline, for mail readers too)."""
    return (f'<!doctype html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>{render(markdown)}</body></html>")


def pdf(markdown: str, *, title: str, language: str) -> bytes:
    """``markdown`` typeset as an A4 PDF."""
    weasyprint = need("weasyprint", "pdf")
    # Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES; turn it off again, or
    # image hashing in this process would accept truncated files (these documents embed no images).
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    data: bytes = weasyprint.HTML(string=page(markdown, title=title, language=language)).write_pdf()
    return data
