"""The product speaks Russian: every page each role of the demo reaches by following links, in the Russian
locale, shows no English of the product's own.

The crawl logs in as one demo person per role, switches the language to Russian through the language switch,
and follows same-site links breadth-first (one page of each shape). On each page it reads the visible text and
the texts a reader meets in attributes (titles, placeholders, labels), leaving out what is not the product's
own words: scripts and styles, code, and anything marked as written in another language (``lang``) or as the
users' own words (``data-user-text``: incident titles, notes, signal texts, names...). What is left must hold no
Latin-script word of three letters or more, but for names (the allow-list below: identifiers, abbreviations,
references, addresses, and a few proper names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from webkit import login

from rapidresponse import clock, db
from rapidresponse.app import create_app
from rapidresponse.demo import data, seed

SKIP = re.compile(r"^/(logout|locale|live/|api/|static/|oncall/feed/|oncall/ack/)|/live$"
                  r"|\.(csv|pdf|ics|json|md|parquet|tmx|tbx|txt|zip)$|/export|/download|/calendar"
                  r"|format=(pdf|csv|md|json|ics|html|tmx|tbx)")
MOST_PAGES = 400  # per role: the demo has fewer shapes of page than this
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN = {"script", "style", "code", "pre", "kbd", "samp", "var", "template", "svg", "math", "textarea"}

# Names a Russian page rightly shows in Latin letters.
NAMES = {"rapidresponse",  # the product
         "telegram", "ical", "icalendar", "markdown", "duckdb", "parquet", "sql",  # what it works with
         "cybertipline"}  # NCMEC's reporting service, named so in every language
# A word of these shapes is a name, not English: abbreviations (DSA, SEV1, CSV, API, TCO, KZ), references
# (INC-2026-0001, REQ-…), identifiers and usernames (marta.zielinska, tco_removal_order is NOT one: it is caught
# below as a raw key), addresses, hashtags, mentions, file names, hashes, versions.
NAME_TOKEN = re.compile(
    r"^(?:"
    r"[A-Z][A-Z0-9]{1,7}(?:[-/][A-Z0-9]+)*"          # abbreviations, ISO codes, SEV1, DSA, A/B
    r"|[A-Z]{2,}-\d[\w-]*"                           # references: INC-2026-0001, REQ-2026-0003
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9*]+)+"               # settings: RAPIDRESPONSE_RETENTION_*
    r"|/[\w/.{}*-]*"                                 # addresses on the site: /api/v1/decisions
    r"|(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[\w/+-]+|UTC"  # time zones
    r"|https?://\S+|www\.\S+"                        # addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                 # e-mail
    r"|[#@][\w.]+"                                   # hashtags, mentions
    r"|[a-z0-9]+(?:\.[a-z0-9]+)+"                    # usernames (marta.zielinska), host names, versions
    r"|[\w-]+\.(?:csv|pdf|json|ics|md|yaml|yml|tmx|tbx|txt|parquet|png|svg)"  # file names
    r"|[0-9a-f]{8,}"                                 # hashes
    r"|[0-9A-Za-z+/]{24,}={0,2}"                     # tokens
    r")$")
CODE = re.compile(r"`[^`]*`")  # a command or name quoted as code
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]{3,}")
TOKEN = re.compile(r"[^\s,;!?()\[\]{}«»\"“”„'’…·—–|]+")

CONTENT_FILES_HINT = ("these words may come from the content files (policy/data/**, playbooks/library/*.yaml): "
                      "they need their Russian there and the reading code locale-aware")


class _Text(HTMLParser):
    """The product's own visible words on a page."""

    def __init__(self, locale: str) -> None:
        super().__init__(convert_charrefs=True)
        self.locale = locale
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = (values.get("lang") or self.locale).split("-")[0].lower()
        hidden = (self.hidden or tag in HIDDEN or lang != self.locale or "data-user-text" in values
                  or values.get("translate") == "no" or "hidden" in values)
        if not hidden:
            self.parts.extend(v for k, v in attrs if k in ATTRIBUTES and v)
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(values["value"] or "")
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, text: str) -> None:
        if not self.hidden:
            self.parts.append(text)


def english_words(html: str, locale: str = "ru") -> list[str]:
    """Latin-script words of the product's own on a page, in order, each once."""
    parser = _Text(locale)
    parser.feed(html)
    found: dict[str, None] = {}
    for part in parser.parts:
        for token in TOKEN.findall(CODE.sub(" ", part)):
            token = token.strip(".:")
            if not token or NAME_TOKEN.match(token) or token.lower() in NAMES:
                continue
            for word in LATIN_WORD.findall(token):
                if word.lower() not in NAMES and not NAME_TOKEN.match(word):
                    found[word] = None
    return list(found)


def _shape(address: str) -> str:
    """Pages of one kind once: /incidents/INC-2026-0001 and /incidents/INC-2026-0002 are one shape, and so are
    /admin/audit?page=2 and ?page=3."""
    path, _, query = address.partition("?")
    path = re.sub(r"[A-Z]{2,}-\d{4}-\d{4}", "{ref}", path)
    path = re.sub(r"/(\d+|[0-9a-f]{8,}|[a-z]+\.[a-z]+)(?=/|$)", "/{id}", path)
    names = sorted({pair.partition("=")[0] for pair in query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


_HREF = re.compile(r"""<a\b[^>]*?\bhref="([^"]*)\"""")


def _links(html: str, here: str) -> Iterator[str]:
    for href in _HREF.findall(html):
        href = href.replace("&amp;", "&")
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")) or "://" in href:
            continue
        path = urldefrag(urljoin(here, href))[0]
        if path.startswith("/") and not SKIP.search(path):
            yield path


def crawl(client: TestClient) -> dict[str, list[str]]:
    """Every page's English words, by page address (one page of each shape)."""
    queue, seen, found = ["/"], set(), {}
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        shape = _shape(path)
        if shape in seen:
            continue
        seen.add(shape)
        resp = client.get(path)
        if resp.status_code >= 400 or "text/html" not in resp.headers.get("content-type", ""):
            continue
        words = english_words(resp.text)
        if words:
            found[path] = words
        queue.extend(_links(resp.text, str(resp.url.path)))
    assert len(seen) > 10, seen
    return found


ROLES = sorted({p.role for p in data.PEOPLE})


@pytest.fixture(scope="module")
def demo(database: Engine) -> Iterator[None]:
    """The demo world, seeded once for the module."""
    db.configure(database.url.render_as_string(hide_password=False))
    _empty()
    clock.set_clock(None)
    seed(history_size=10)
    yield
    _empty()


def _empty() -> None:
    with db.get_engine().begin() as conn:
        for table in reversed(db.Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _russian_client(client: TestClient, role: str) -> None:
    person = next(p for p in data.PEOPLE if p.role == role)
    token = login(client, person.username, person.password)
    resp = client.post("/locale", data={"csrf_token": token, "locale": "ru", "next": "/"}, follow_redirects=False)
    assert resp.status_code == 303
    assert '<html lang="ru">' in client.get("/").text


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_in_russian(demo: None, role: str) -> None:
    with TestClient(create_app(embedded_worker=False)) as client:
        _russian_client(client, role)
        found = crawl(client)
    left = {}
    for path, words in sorted(found.items()):
        hint = f" ({CONTENT_FILES_HINT})" if _shape(path).startswith(("/policy", "/playbooks", "/requests")) else ""
        left[path] = f"{' '.join(words)}{hint}"
    report = "\n".join(f"  {path} [{_shape(path)}]: {words}" for path, words in left.items())
    assert not left, f"English on Russian pages as {role}:\n{report}"


def test_the_reader_finds_english_and_spares_names() -> None:
    html = ('<html lang="ru"><body><h1>Инцидент INC-2026-0001</h1><p>Статус: active</p>'
            '<p data-user-text>Policy call with the regulator</p><span lang="en">EN</span>'
            '<script>var x = "hello";</script><p>DSA, SEV1, CSV, marta.zielinska, ops@example.org, #челлендж</p>'
            '<input placeholder="Search here"><p title="tco_removal_order">rapidresponse</p></body></html>')
    assert english_words(html) == ["active", "Search", "here", "tco", "removal", "order"]
