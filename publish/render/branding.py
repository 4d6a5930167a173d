"""The practice's look as CSS, for every edition: its accent colour, its fonts, then its own stylesheet.

The design's stylesheets stay as they are; what ``book.yaml`` asks for is
written after them, so the same cascade decides everywhere: the accent
colour on titles, rules and pull quotes (the loader has checked it reaches
4.5:1 on the page), the chosen faces under the design's family names (the
print stylesheets ask for "Book Text" and "Book Display"), and last the
book's own CSS for that edition.  Nothing is written for a book that asks
for nothing, so its editions stay byte for byte what the design makes.
"""

from __future__ import annotations

import re

from publish.model import Book
from publish.paths import SHIPPED_FAMILIES

# Where the accent goes, per kind of edition: text that takes its colour, rules and bands that take it.
ACCENT_RULES = {
    "print": (
        ".cover-title, .cover-subtitle, .cover-page .cover-publisher, .titlepage .title, h1.chapter-title,"
        " section.chapter > header .subtitle, aside.pullquote { color: %(accent)s; }\n"
        ".cover-page .cover-band { background: %(accent)s; }\n"
        ".cover-rule, section.chapter > header::after { border-top-color: %(accent)s; }\n"
        ".cover-page .cover-publisher, aside.pullquote { border-color: %(accent)s; }\n"
    ),
    "epub": (
        "h1, .titlepage .title { color: %(accent)s; }\n"
        "aside.pullquote { border-color: %(accent)s; }\n"
    ),
    # Checked against the white page only: a dark colour scheme keeps the design's own light colours.
    "web": (
        "@media (prefers-color-scheme: light) {\n"
        "  h1, .titlepage .title { color: %(accent)s; }\n"
        "  aside.pullquote { border-color: %(accent)s; }\n"
        "}\n"
    ),
}
FAMILY_OF_ROLE = {"text": "Book Text", "display": "Book Display"}
BOOK_FONTS = "book-fonts/"  # where the book's own font files are fetched from (see publish.pdf.document)


def edition_kind(edition: str) -> str:
    return edition if edition in ("epub", "web") else "print"


def branding_css(book: Book, edition: str) -> str:
    """The CSS the book's branding adds after the edition's stylesheets ("" when it asks for nothing)."""
    brand = book.branding
    parts = []
    if brand.accent:
        parts.append(ACCENT_RULES[edition_kind(edition)] % {"accent": brand.accent})
    css = brand.stylesheet("pdf" if edition == "standard" else edition)
    if css:
        parts.append(css)
    return "\n".join(parts)


Swap = tuple[str, str, str, int, bool]  # a design family, the chosen face's own family, its URL, weight, italic


def face_swaps(book: Book, edition: str, font_base: str = BOOK_FONTS) -> tuple[Swap, ...]:
    """The files the book chose for the design's families ("Book Text", "Book Display"); () for none.

    ``font_base``: where the renderer serves the book's own font files from.
    """
    if edition_kind(edition) != "print":
        return ()
    swaps = [(FAMILY_OF_ROLE[role], family, f"fonts/{name}", weight, italic)
             for role, family in book.branding.families for name, weight, italic in SHIPPED_FAMILIES[family][role]]
    swaps += [(FAMILY_OF_ROLE[face.role], face.family, font_base + face.name, face.weight, face.italic)
              for face in book.branding.faces]
    return tuple(swaps)


FACE_RULE = re.compile(r"@font-face\s*\{([^{}]*)\}")
SRC = re.compile(r"src\s*:\s*url\(([^)]*)\)")
FAMILY = re.compile(r'font-family\s*:\s*"([^"]+)"')
WEIGHT = re.compile(r"font-weight\s*:\s*(\d+)")


def swap_faces(css: str, swaps: tuple[Swap, ...]) -> str:
    """The design's stylesheet with each ``@font-face`` of a chosen family pointing at the chosen file.

    Each rule keeps the weight and style it declares and takes the chosen
    face of that style whose weight is nearest; then the family is called by
    the face's own name everywhere in the stylesheet, so the PDF embeds it
    under that name.  (A second rule for the same family, weight and style
    would not do: the layout keeps the first.)
    """
    def replace(match: re.Match) -> str:
        body = match.group(1)
        family = FAMILY.search(body)
        chosen = [s for s in swaps if family is not None and s[0] == family.group(1)]
        if not chosen:
            return match.group(0)
        weight_match = WEIGHT.search(body)
        weight = int(weight_match.group(1)) if weight_match else 400
        italic = "italic" in body.split("font-style", 1)[-1][:20] if "font-style" in body else False
        same_style = [s for s in chosen if s[4] == italic] or chosen
        url = min(same_style, key=lambda s: (abs(s[3] - weight), s[3]))[2]
        return "@font-face {" + SRC.sub(f"src: url({url})", body, count=1) + "}"

    css = FACE_RULE.sub(replace, css)
    for design, own in dict((s[0], s[1]) for s in swaps).items():
        css = css.replace(f'"{design}"', f'"{own}"')
    return css
