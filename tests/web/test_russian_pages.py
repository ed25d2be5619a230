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
from collections import defaultdict
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
         "telegram", "ical", "icalendar", "markdown", "duckdb", "parquet", "sql"}  # what it works with
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

# TEMPORARY, both lists below: section of the site (/policy, /incidents…) → the words the crawl still accepts on
# its pages (by section, not by page: which alert or incident the crawl meets first varies with the demo's clock).
# Empty them as the words go.
#
# Waiting for the content files: words on these pages that come from the content files (policy/data/**:
# countries, regulators, laws, taxonomy; playbooks/library/*.yaml: task titles, "done when" texts, templates),
# which are being made bilingual together with the code that reads them. Empty this list once they are.
WAITING_FOR_THE_CONTENT_FILES = """
/: Add Asia Central Check Communications Content Culture Federal Information Kazakh Kazakhstan Map Mass Measure
    Media Ministry Republic Roskomnadzor Route Russia Send Service Statement Supervision Technology Write after
    among and are aware being breaks calls challenge child choking circulating coded contact danger dangerous
    deadlines detection emergency encourages enforcement first for guidance hate information know language legal
    life local minors mitigation moderators new news now online our playbook posts regulator removed response
    review rules safety searches services show slurs someone speech spreading stakeholder targets terms that the
    threat trend trigger under update variants violence wave you
/account: https
/admin: user
/approvals: among challenge choking legal minors spreading
/cases: against challenge dangerous reports
/decisions: Account Community Dangerous Guidelines News acts after app audio cause challenge challenges content
    dangerous depicts each encourages harm image kept likely livestream media only other physical report shown
    stunts synthetic text that the two upload video viewers where
/hashlists: game hash partner share sharing videos
/incidents: Accounts Add Almaty Art Asia Central Check Communications Consider Content Culture Cut CyberTipline
    Done Every Federal File Fix General Guidance Hash Hosting IDs ISPs Information Informatization Items Kazakh
    Kazakhstan Known Latn Law Leadership Legal Lexicon Limit Linked Look Map Mass Measure Media Ministry Moscow
    Names Never Next Notify Novosibirsk Offender Omsk Only Policy Preserve Prosecutor Refer Remove Reply Reports
    Republic Restrict Restricted Reviewers Roskomnadzor Russian Searches Send Service Sextortion Site Statement
    Status Stop Supervision Support Surface Technology The Trusted Uploads Where Write access accessed account
    accounts actioned acts added affected after against age agreed all amendments among amplification and any
    approved are attach audio authorised aware awareness back bank baseline before being between blames block
    blocked blocking blur blurred body booked breaks business but call calls caps caregiver caregivers cases
    challenge channel chat check child choking circulating clock closes comms confirm confirmed contact contacted
    contacts content control copied copies country creators crisis custody danger dangerous day days deadlines
    deaths debrief default deleted demand demoted describe detected detection devices differ disabled doubtful
    download each email emergency encourages enforcement escalation every everyone evidence example exists
    exploitation exposed exposure external extremism fainting fake fakes few filed first flagger for forward found
    four from further game gate get gone greyscale guidance handed handle handles harm has hash hashes hashtags
    hate have health help helpline hold hosting hotline hour hours how identifiable identified images immediately
    imminent incident information informed informs injuries inspection instead into involved item items its keep
    know known language last law lead leadership leads leave legal lexicon life likely line listed lists live
    local log mandatory match matched matches matching material media message messages messaging metadata method
    minors mitigation moderators more must muted named names national need network never new news not notes
    nothing notice now number numbers obliged off offender official one online only order otherwise our over owner
    page part passed path pay payment per person photos platform playbook policy popular posts pre preservation
    preserved preventive profiles prohibited protection provider public queue queues quote recommendation
    recommendations recorded redirect reference referral regional register registered registry regulator remove
    removed removes reply report reports request resources responder responders response restrict restricted
    results retained review reviewers riots risk rotation rules run safety same saw says scheduled screenshot
    scripts search searches see self send sent services sextortion sexual shared shift show shown shows side
    signal since site someone sometimes sounds sources speech spelling spread spreading staff stakeholder
    statement statements stop store strike supplemental support suspended sweep teams teenagers terms that the
    their them then they threat threatens through trained trend trusted twenty two under unified unknown update
    uploads use users variants via victims videos views violations visits wellbeing what when where who with
    within without working you
/lexicons: from new terms
/oncall: Almaty Asia Central Follow Russian among challenge child choking details hate incident language minors
    only response restricted safety speech spreading the
/playbooks: Asia Central Child Content Corporate Crisis CyberTipline Elections Human Incident Industry Law Live
    Protocol and child commander countries enforcement external integrity languages law leadership legal partners
    partnerships policy public ref referral regional regulator reply response rights safety security severity
    specialists statement text title update
/policy: Access Act Added Advertising Aerospace Affairs Affects Agency Alapítvány Albania Alignment Animal Answer
    Armenia Art Arts Asociația Audio Audiovisual Aug Authorised Authority Azerbaijan Belarus Blocking Blogger
    Bloggers Blue Bosna Bosnia Broadcasting Bulgaria Bulgarian Bullying Calls Centre Challenges Child Code
    Columbine ComCom Commission Committee Communication Communications Community Confirm Consider Consumer Content
    Control Coordinator Copilului Council Covers Criminal Crna Croatia Croatian Culture Cyber Cyrl Czech Czechia
    Dajemy Dangerous Data Database Dec Decree Defence Demands Department Designated Designation Development
    Digital Dzieciom Eesti Electronic Estonia Estonian European Europol Expert Extremist False Federal Federation
    Field Fix Foreign Formed Fraud Frequently Fundacja General Georgia Gora Government Guidelines Gyermekkrízis
    Harmful Hate Hercegovina Herzegovina Hosting Hrvatska Human Hungarian Hungary ISPs Inaccurate Independent
    Industries Industry Influence Infocommunications Inform Information Informatization Innovations Inspection
    Intelligence Internal Internet Its Jaunimo Jul Jun Kazakh Kazakhstan Kosova Kosovo Kyrgyzstan Kék Lasteabi
    Latn Latvia Latvian Latvija Law Lietuva Lifeline Linka List Lists Lithuania Lithuanian Macedonia Magyarország
    Management Mass Materials Media Member Mininform Ministry Moldova Montenegrin Montenegro Must NGOs National
    Network Networks North Notice Notify Oct Office Online Pages Paid Perpetrator Personal Platform Platforms
    Poland Police Policy Polish Polska Postal President Privacy Prosecutor Protection Provide Public Radio
    Receives Recovery Referral Regulation Regulatory Removal Remove Republic Republica Republican Restrict
    Restricts Rights Romania Romanian România Roskomnadzor Rospotrebnadzor RpMS Runs Russia Russian Sanctions
    Scope Security September Serbia Serbian Service Services Shqipëria Site Siłę Slovak Slovakia Slovenia
    Slovenian Slovenija Slovenije Slovensko Social Sotsiaalkindlustusamet Sport State States Strada Suicide
    Supervises Supervision Surveillance Suspension Tajikistan Tax Technical Technologies Technology Telecom
    Telecommunication Telecommunications Telefonul Television Terms Terrorist The Trainsurfing Transparency
    Transport Turkmenistan Türkmenistan Ukraine Unit Unlicensed Uzbekistan Vaikų Valsts Violent Vonal Wellbeing
    Whale Youth Zveza about above abuse access account accounts act acted action activity acts address adult
    advertising after against age agency aimed aizsardzības aligning all allow although amended amendments and
    animals any appoint arbitrary are art asks assigns attack attacks audience audiovisual authorised authorities
    authority automatically average been before behind being bezpečí block blocked blocking blogger bodies body
    broadcasters broadcasting broadcasts bērnu calls came can candidate case cases categories category cause
    challenges changed characteristic check child children choking citizens claims clock cnr codes commerce
    commercial commission commit committing communications communities competent complaint concerned conduct
    confirmed confirms consent consider content control controlled coordinated copyright council count counter
    court crh criminal crises cruelty culture current cyber daily dangerous data dated day days death debated
    decide decides delay delayed demand depicting depicts designated designation designations detect detected
    detskej differ digital diligent disability disable disrespect distributing documents does donations doubtful
    doveria draft drafted drugs dsa during duties duty effect elections emergencies encourages endangers enforce
    enforcement enforces engines escalates ethnicity europol event executed exploits extreme extremism extremist
    fake fakes false fan feedback few field films flagger flaggers footage for forbids foreign form found four
    fraud fri from funding gag gambling game games gang gender general geographic given glorification glorifies
    goods gore government graphic gratuitous groups harassment harm has hate have health help here high hosting
    hotline hour hours how humiliation illegal imitation immediately incident include including inducing inform
    information informatization informs infringes injury inspection inspekcija instructs integrity interface
    internet invite invites involving issuing istoty its judicial jurisdiction kaa kek kgb known label labelling
    landing language large law legal level life likely linija listed local localisation location lotteries low
    manipulation mass material may mechanism media medium mininform ministry misinformation mislead misleading
    mladine mon months more must mvd name named narcotic national nationality need networks new non not notice
    notices notification notifications notified notify nudity objective obscene offence offences once one online
    operators order orders ordinary org organisations organising orientation others otherwise outside over owner
    owners page pages passed people person persons phishing phone physical pirated platform platforms police
    policy popular possible postal powers praises presence presented preserved preventive prijateljev primary
    priority prison privacy private proactively procedure processed produced prohibited promotes promoting
    promotion promptly prosecutor protected protocol provider psychotropic public pyramid rbaycan real reasons
    receipt receiving recipients referrals register registration regulated regulator related religion remedy remit
    removal remove removed removes reorganisations reorganised reply reported representative represents request
    requests require requires rescues resource resources restrict restricting restriction review riots risk
    rooftopping route rules run runs safety sale scams schemes school scope search seeking self sender sends
    servers service services set sexual sexually sharing shock shooters shown similar site six social someone
    something soon source sources spam specific speech sports staged state statements status stay stored stories
    strada streams stunts style submitted subscribers substances successive suicide supports suspected take
    takedown targets tasks tco teenagers telecommunications telefon terrorism terrorist than that the them then
    threat threatening threats through thu tiesību timely tolerance tom trademarks transparent triage trusted tue
    twenty two uncertain unclear under undisclosed undue unified unlawful unregistered updated uploads urgent user
    users usually very via video violations violence violent visits vonal was way ways websites wed when who whose
    with within without working world writing youth zbekiston zero zkomnazorat ČTÚ Česko
/requests: Aerospace Affairs Agency Art Audio Audiovisual Authority Broadcasting Centre ComCom Commission
    Committee Communication Communications Consumer Control Council Croatian Culture Cyber Czech Defence
    Department Development Digital Electronic European Europol Federal Field General Government Human Independent
    Industries Industry Infocommunications Information Informatization Innovations Inspection Intelligence
    Internal Internet Kazakhstan Law Management Mass Media Mininform Ministry National Network Networks Office
    Police Policy Postal President Prosecutor Protection Public Radio Referral Regulation Regulatory Republic
    Rights Roskomnadzor Rospotrebnadzor RpMS Security Service Services Slovenia Sport State Supervision
    Surveillance Tax Technical Technology Telecommunication Telecommunications Television Transport Unit Wellbeing
    Youth and authorities bodies communications enforcement for register the under unified zkomnazorat ČTÚ
/reviews: Moldova Ukraine among videos
/risks: Add Kazakhstan Moldova Romania Russia among amplifying and challenge choking coded dangerous election
    minors narratives network new news posts slurs spellings spreading the under wave
/signals: video
/translation-memory: Almaty Novosibirsk Omsk Reports Searches account after among and are baseline blocking
    challenge choking crisis describe fainting for game hours instead lexicon messaging method minors never notes
    one over part popular quote resources results show spread spreading statements teenagers terms the trend two
    videos within
/translations: Statement among challenge choking dangerous minors playbook press spreading statement template the
    trend
/trends: video
/wellness: acts challenge dangerous
"""
# Still in English: words of the product's own (labels, keys shown raw, texts built in Python) or users' words
# not yet marked as such (data-user-text) that the crawl found and that are not fixed yet. Each is a bug.
STILL_IN_ENGLISH = """
/: Anti Kowalski Sweep Tomasz migrant rapid tags
/admin: glossary reeca
/analytics: Action Content Detection Each Every Incident One Post Regulator Saturday Signals Stakeholder Sunday
    TIMESTAMP Triage acknowledge acknowledged acknowledgement acts added admin alert alerts alpha analyst and
    answered any appeals applies audio audit before behind breached bucket call came cancelled case cases
    categories category challenge changed child classifier clocks closed code commander comms content countries
    country counts crossed dangerous day deadline decision decisions declare declared detect detected detection
    detector did dismissed done draft drafted due duplicate each earlier else empty enforcement escalated event
    every executives expected filed first flagger for from gave gone got hand happened harm has hash hate hits
    hour how identified illegal image incident incidents internal into investigating item items its joined known
    language languages last law legal lexicon linked livestream load local log main manual match matches may media
    median members merged milestone minute mitigate mitigated mitigation most name near none notified null
    observed off once one only open opened out outcome over overdue own owns page paged pages partner per person
    platform playbooks point policy procedure product progress public published raised reached reasons recurring
    recurs reference registered regulator regulators reply report reported reporter reports request requests
    resolve resolved responder response restricted reversed review reviews role row safety same says score seconds
    see sent series service severe severity signal signals signed snoozed source speech stage start statements
    status streams suppressed system taking task tasks team terms text that the their them those three threshold
    time timelines title tooling trend triage trigger triggered trusted type update updates user value video view
    viewer was wave week went were what when where whether while who with working zone
/cases: Alert bucket expected minute score
/decisions: Nagranie Replay adults był dared nie nieletnich nikt pierwszym ponowny product strikes try ucierpiał
    udziałem uploader uploading usunięciu wyzwania żart
/detection: system
/hashlists: Choking Regional created imported
/incidents: Adults Agree Default Draft English Growth Jasur Katarzyna Method Nowak Report Safe Short Shymkent
    Stakeholder Sweep Tursunov User Victims Volume active advisory called captions cluster dating fixed flat
    interstitial outreach parent phrases prepare rapid reposted reposting script seed slowing spike still strikes
    tags taking viewer
/lexicons: imported leetspeak
/oncall: Default Piotr Primary Wiśniewski appointment doctor rapid sun
/reviews: teens trending
/risks: Anti Bot lexicons migrant
/translation-memory: Method Safe Short Shymkent called captions reposted taking
/translations: Kowalski Tomasz
/trends: Kaspi
"""
CONTENT_FILES_HINT = ("these words may come from the content files (policy/data/**, playbooks/library/*.yaml): "
                      "they need their Russian there and the reading code locale-aware")


def _accepted(listing: str) -> dict[str, set[str]]:
    """``section: word word`` lines (a line starting with spaces continues the previous one) as a mapping."""
    out: dict[str, set[str]] = defaultdict(set)
    shape = ""
    for line in listing.splitlines():
        if not line.strip():
            continue
        if line.startswith(" "):
            out[shape].update(line.split())
        else:
            shape, _, words = line.partition(": ")
            out[shape].update(words.split())
    return out


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


def _section(address: str) -> str:
    """The first step of a page's path: /policy/countries/KZ is in /policy."""
    return "/" + address.lstrip("/").split("/")[0].split("?")[0]


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
    waiting, still = _accepted(WAITING_FOR_THE_CONTENT_FILES), _accepted(STILL_IN_ENGLISH)
    left = {}
    for path, words in sorted(found.items()):
        shape, section = _shape(path), _section(path)
        rest = [w for w in words if w not in waiting[section] and w not in still[section]]
        if rest:
            hint = f" ({CONTENT_FILES_HINT})" if shape.startswith(("/policy", "/playbooks", "/requests")) else ""
            left[path] = f"{' '.join(rest)}{hint}"
    report = "\n".join(f"  {path} [{_shape(path)}]: {words}" for path, words in left.items())
    assert not left, f"English on Russian pages as {role}:\n{report}"


def test_the_reader_finds_english_and_spares_names() -> None:
    html = ('<html lang="ru"><body><h1>Инцидент INC-2026-0001</h1><p>Статус: active</p>'
            '<p data-user-text>Policy call with the regulator</p><span lang="en">EN</span>'
            '<script>var x = "hello";</script><p>DSA, SEV1, CSV, marta.zielinska, ops@example.org, #челлендж</p>'
            '<input placeholder="Search here"><p title="tco_removal_order">rapidresponse</p></body></html>')
    assert english_words(html) == ["active", "Search", "here", "tco", "removal", "order"]
