"""The book as print HTML for WeasyPrint: cover, title page, colophon, contents, articles.

Built from the same builder functions as the EPUB (:mod:`publish.render.markup`),
so the print pages and the EPUB documents share their markup (the EPUB's
page-list depends on it).  No WeasyPrint here: the parent process of a
build laid out in parts describes link targets from this tree without
loading the layout engine.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from lxml import etree

from publish.conventions import EPUB_TYPE, heading_text, q
from publish.i18n import strings
from publish.model import Book
from publish.pdf.editions import EDITIONS, TYPEFACES
from publish.render.accessibility import print_statement, untagged_print_statement
from publish.render.cover import PRINT_COVER, TITLE_PAGE, cover_image, title_step
from publish.render.markup import E, book_bibliography, chapter_section, colophon, title_content, title_page


@dataclass(frozen=True)
class Part:
    """A stretch of the book laid out as its own WeasyPrint document.

    The default is the whole book in one document.  A long book is laid out
    in parts on several cores (:mod:`publish.pdf.parts.coordinator`): the front matter
    (``front=True`` with ``chapters=(0, 0)``) and runs of articles.  A part
    without the articles cannot use ``target-counter`` for its contents, so
    ``toc_pages`` gives the page numbers (an empty mapping prints wide
    placeholders, to measure the front matter before the numbers are known).
    """

    front: bool = True
    chapters: tuple[int, int] | None = None  # [start, stop) into book.chapters; None: every article
    references: bool = True  # the whole-book reference list, when the book has one
    toc_pages: dict[str, int] | None = None  # None: WeasyPrint's target-counter

    def articles(self, book: Book) -> list:
        start, stop = self.chapters if self.chapters is not None else (0, len(book.chapters))
        return book.chapters[start:stop]


WHOLE = Part()
TOC_PLACEHOLDER = 8888  # four tabular figures: at least as wide as any real page number


def print_html(book: Book, edition: str = "standard", part: Part = WHOLE) -> etree._Element:
    """The book (or one :class:`Part` of it) as one XHTML tree for WeasyPrint."""
    meta = book.metadata
    head = E.head(E.title(meta.title))
    for name, value in (("author", ", ".join(meta.authors)), ("description", meta.description),
                        ("dcterms.created", meta.modified), ("dcterms.modified", meta.modified),
                        ("generator", "publish")):
        if value:
            head.append(E.meta(name=name, content=value))
    body = E.body()
    if part.front:
        body.append(_cover_page(book))
        page = title_page(book)
        step = title_step(meta.title, meta.subtitle, TITLE_PAGE)
        if step:  # print.css tightens the page around a long title and sets it smaller
            page.set("data-fit", str(step))
        body.append(page)
        body.append(_colophon(book, edition))
        body.append(_contents(book, part.toc_pages))
    else:  # the left-hand running head names the series; without the title page, the body sets it
        body.set("data-series", " ".join(meta.title.split()))
    for chapter in part.articles(book):
        section = chapter_section(chapter, book.metadata.language)
        title = section.find(f".//{q('h1')}")
        if title is not None:  # print.css sets the running head from this attribute
            title.set("data-running-head", chapter.printed_head)
        for heading in section.iter(q("h2"), q("h3"), q("h4"), q("h5"), q("h6")):
            if any(link.get("role") == "doc-noteref" for link in heading.iter(q("a"))):  # no call in the bookmark
                heading.set("data-bookmark", heading_text(heading))
        _notes_to_footnotes(section)
        _prefix_ids(section, f"{chapter.slug}-")
        body.append(section)
    refs = book_bibliography(book) if part.references else None
    if refs is not None:
        body.append(refs)
    _small_caps_as_written(body)
    html = E.html(head, body)
    html.set("lang", meta.language)
    return html


# Lines print.css sets in all-small-caps.  There a capital and its small letter are one glyph, which the
# PDF can map back to one character only: "Test Practice" would be read (and brailled) "TesT PracTice".
SMALL_CAPS = frozenset({"publisher", "cover-publisher", "byline"})


def _small_caps_as_written(body: etree._Element) -> None:
    """Give each small-caps line its words as written (the tagged PDF's ``/ActualText``, see publish.pdf.structure)."""
    for element in body.iter():
        if isinstance(element.tag, str) and SMALL_CAPS & set((element.get("class") or "").split()):
            element.set("data-actual-text", " ".join("".join(element.itertext()).split()))


def _cover_page(book: Book) -> etree._Element:
    """The PDF's first page: the book's cover image, or the typographic cover as real text."""
    if book.cover is not None:
        cover = cover_image(book)
        return E.section({"class": "cover-page"}, E.img({"src": cover.href, "alt": cover.alt}))
    meta = book.metadata
    title = E.p({"class": "cover-title"}, meta.title)
    step = title_step(meta.title, meta.subtitle, PRINT_COVER)
    if step:  # a long title is set smaller (print.css, large-print.css), so that it stays on the cover
        title.set("data-fit", str(step))
    text = E.div({"class": "cover-text"}, title)
    if meta.subtitle:
        text.append(E.p({"class": "cover-subtitle"}, meta.subtitle))
    text.append(E.div({"class": "cover-rule", "aria-hidden": "true"}))
    parts = [E.div({"class": "cover-band", "aria-hidden": "true"}), text]
    logo = book.branding.logo
    if logo is not None:
        parts.append(E.img({"src": logo.href, "alt": logo.alt, "class": "cover-logo"}))
    if meta.publisher:
        parts.append(E.p({"class": "cover-publisher"}, meta.publisher))
    return E.section({"class": "cover-page", "aria-label": strings(book.metadata.language)("book.cover")}, *parts)


def _colophon(book: Book, edition: str = "standard") -> etree._Element:
    """The shared colophon with the edition's accessibility statement and typeface.

    Only the tagged editions claim tags; the press and booklet editions are
    imposed or PDF/X files without a structure tree and say so.
    """
    tagged = EDITIONS[edition].variant == "pdf/ua-1"
    statement = print_statement(book) if tagged else untagged_print_statement(book)
    words = strings(book.metadata.language)
    family = dict(book.branding.families).get("text") or next(
        (face.family for face in book.branding.faces if face.role == "text"), "Source Serif 4")
    line = words(f"typeface.{TYPEFACES.get(edition, TYPEFACES['standard'])}", family=family)
    return colophon(book, statement, (line,))


def _contents(book: Book, pages: dict[str, int] | None = None) -> etree._Element:
    """Article titles (with subtitles) and their page numbers.

    In the whole-book document WeasyPrint fills the numbers in with
    ``target-counter``; a front-matter part gets them in ``pages`` (see
    :class:`Part`) and prints them from ``data-page``.
    """
    words = strings(book.metadata.language)
    items = []
    for chapter in book.chapters:
        link = E.a({"href": f"#{chapter.slug}"}, *title_content(chapter))
        if pages is not None:
            link.set("data-page", str(pages.get(chapter.slug, TOC_PLACEHOLDER)))
        item = E.li(link)
        if chapter.subtitle:
            item.append(E.span({"class": "toc-sub"}, chapter.subtitle))
        items.append(item)
    if book.bibliography:
        link = E.a({"href": "#references"}, words("book.references"))
        if pages is not None:
            link.set("data-page", str(pages.get("references", TOC_PLACEHOLDER)))
        items.append(E.li(link))
    return E.nav({"class": "toc", "aria-labelledby": "toc-title"},
                 E.h1({"id": "toc-title", "class": "toc-title"}, words("nav.contents")), E.ol(*items))


def _notes_to_footnotes(section: etree._Element) -> None:
    """Move each note's text to its call, where CSS ``float: footnote`` sets it at the foot of the page.

    The model keeps Markdown footnotes as endnotes (right for the EPUB); on
    paper a reader wants the note on the page that calls it.  A note called
    twice is printed at each call, as pandoc does (the copy has no ids, and
    keeps the note's number: the EPUB calls it by that number too).
    Notes never called stay in the endnote list.
    """
    lists = [el for el in section.iter(q("section")) if el.get(EPUB_TYPE) == "endnotes"]
    notes = {li.get("id"): li for block in lists for li in block.iter(q("li")) if li.get("id")}
    placed: dict[str, etree._Element] = {}
    for link in list(section.iter(q("a"))):
        if link.get("role") != "doc-noteref":
            continue
        target = (link.get("href") or "").lstrip("#")
        li = notes.get(target)
        sup = link.getparent()
        if li is None or sup is None or sup.tag != q("sup"):
            continue
        if target in placed:
            again = deepcopy(placed[target])
            for element in again.iter():
                element.attrib.pop("id", None)
            again.set("data-again", target)  # print.css gives it the note's number; the PDF's tags refer to it
            again.tail = sup.tail
            sup.getparent().replace(sup, again)
            continue
        note = placed[target] = E.span({"class": "footnote", "role": "doc-footnote", "id": li.get("id")})
        for back in [a for a in li.iter(q("a")) if a.get("role") == "doc-backlink"]:
            _drop(back)
        for holder in _note_paragraphs(li):
            note.append(holder)
        note.tail = sup.tail
        sup.getparent().replace(sup, note)
        li.getparent().remove(li)
    for block in lists:
        if not any(True for _ in block.iter(q("li"))) and block.getparent() is not None:
            block.getparent().remove(block)


NOTE_BLOCKS = frozenset(q(tag) for tag in ("p", "ul", "ol", "blockquote", "pre"))  # what a note may hold


def _note_paragraphs(li: etree._Element) -> list[etree._Element]:
    """A note's blocks as inline ``footnote-para`` spans: a footnote is a span, so it cannot hold a block.

    A paragraph keeps its inline markup; each item of a list inside the note
    becomes its own line with its bullet or number; any other block keeps its text.
    """
    blocks = [child for child in li if child.tag in NOTE_BLOCKS] or [li]  # [li]: one paragraph without <p>
    holders = []
    for block in blocks:
        if block.tag in (q("ul"), q("ol")):
            for number, item in enumerate(block.findall(q("li")), start=1):
                holder = E.span({"class": "footnote-para footnote-item"})
                holder.text = f"{number}. " if block.tag == q("ol") else "• "
                for index, para in enumerate(item.findall(q("p")) or [item]):
                    _append_text(holder, " " if index else "")
                    _move_inline(para, holder)
                holders.append(holder)
            continue
        holder = E.span({"class": "footnote-para"})
        if block.tag in (q("p"), li.tag):
            _move_inline(block, holder)
        else:  # a quotation or code in a note: its words, on their own line
            holder.text = _words(block)
        if holder.text or len(holder):
            holders.append(holder)
    return holders


def _move_inline(source: etree._Element, holder: etree._Element) -> None:
    """Append ``source``'s text and inline children to ``holder`` (a block inside it keeps only its words)."""
    _append_text(holder, source.text or "")
    for child in list(source):
        if child.tag in NOTE_BLOCKS:
            _append_text(holder, f" {_words(child)}{child.tail or ''}")
            source.remove(child)
        else:
            holder.append(child)  # with its tail


def _append_text(holder: etree._Element, text: str) -> None:
    if len(holder):
        holder[-1].tail = (holder[-1].tail or "") + text
    else:
        holder.text = (holder.text or "") + text


def _words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _drop(element: etree._Element) -> None:
    """Remove an element, keeping its tail text in place."""
    parent = element.getparent()
    tail = (element.tail or "").rstrip()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = ((previous.tail or "") + tail).rstrip() or None
    else:
        parent.text = ((parent.text or "") + tail).rstrip() or None
    parent.remove(element)


def _prefix_ids(section: etree._Element, prefix: str) -> None:
    """Make an article's ids unique within the one-document PDF (each EPUB article is its own file)."""
    own = section.get("id")
    local = {e.get("id") for e in section.iter() if e.get("id")}
    for element in section.iter():
        ident = element.get("id")
        if ident and element is not section:
            element.set("id", prefix + ident)
        for attr in ("aria-labelledby", "aria-describedby", "data-again"):
            if element.get(attr):
                element.set(attr, " ".join(prefix + v for v in element.get(attr).split()))
        href = element.get("href")
        if href and href.startswith("#") and href[1:] in local:
            element.set("href", "#" + prefix + href[1:])
    if own:
        section.set("id", own)
