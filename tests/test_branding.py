"""The practice's own look: logo, accent colour, fonts and an extra stylesheet, in every edition."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pikepdf
import pytest
from conftest import ROOT, write_book
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from publish.cli import main
from publish.colour import contrast
from publish.source.book import load_book

BRANDED = ROOT / "tests" / "books" / "branded"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _codes(findings) -> list[str]:
    return [f"{f.code} {f.message}" for f in findings]


def test_a_pale_accent_is_refused_with_its_ratio_and_a_shade_that_passes(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText.\n"},
                      extra_yaml='accent_color: "#f4f0a0"\n')
    _, findings = load_book(book)
    (found,) = [f for f in findings if f.code == "y-013"]
    assert "1.1" in found.message and "4.5:1" in found.message and found.location.line == 9
    shade = found.hint.split("use a darker shade: ")[1].split()[0]
    assert contrast(shade, "#ffffff") >= 4.5 and shade != "#f4f0a0"


def test_an_accent_that_passes_is_taken(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText.\n"},
                      extra_yaml='accent_color: "#0B5D5A"\n')
    loaded, findings = load_book(book)
    assert not [f for f in findings if f.code.startswith("y-")]
    assert loaded.branding.accent == "#0b5d5a"


def test_logo_needs_alt_text_and_stylesheets_may_not_fetch(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText.\n"},
                      extra_yaml="logo: logo.png\nstylesheet: extra.css\nfonts:\n  text: fonts/Nope\n")
    shutil.copy(BRANDED / "images" / "logo.png", book / "logo.png")
    (book / "extra.css").write_text("p { color: #111; }\n@import url(other.css);\n", encoding="utf-8")
    _, findings = load_book(book)
    codes = _codes(findings)
    assert any(c.startswith("y-012 the logo 'logo.png' has no alt text") for c in codes)
    (css,) = [f for f in findings if f.code == "y-015"]
    assert css.location.path == "extra.css" and css.location.line == 2
    assert any(c.startswith("y-014 fonts: text 'fonts/Nope'") for c in codes)


def test_a_font_folder_needs_its_open_font_licence(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText.\n"},
                      extra_yaml="fonts:\n  text: fonts/Atkinson\n")
    folder = book / "fonts" / "Atkinson"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "styles" / "fonts" / "AtkinsonHyperlegible-Regular.ttf", folder)
    _, findings = load_book(book)
    assert any(c.startswith("y-014 fonts: the folder 'fonts/Atkinson' has no SIL Open Font License")
               for c in _codes(findings))
    shutil.copy(ROOT / "styles" / "fonts" / "OFL-AtkinsonHyperlegible.txt", folder / "OFL.txt")
    loaded, findings = load_book(book)
    assert not [f for f in findings if f.code == "y-014"]
    (face,) = loaded.branding.faces
    assert (face.role, face.family, face.weight, face.italic) == ("text", "Atkinson Hyperlegible", 400, False)


@pytest.mark.slow
def test_logo_and_accent_on_cover_title_page_and_in_every_edition(tmp_path):
    out = tmp_path / "dist"
    assert main(["build", str(BRANDED), "--out-dir", str(out), "-q"]) == 0
    epub = next(out.glob("*.epub"))
    with zipfile.ZipFile(epub) as zf:
        title_page = etree.fromstring(zf.read("EPUB/titlepage.xhtml"))
        css = zf.read("EPUB/css/book.css").decode()
        cover = Image.open(io.BytesIO(zf.read("EPUB/images/cover.png"))).convert("RGB")
        assert "EPUB/images/logo.png" in zf.namelist()
    (logo,) = title_page.xpath("//x:img[@class='logo']", namespaces=XHTML)
    assert logo.get("alt") == "Riverside Therapy" and logo.get("src") == "images/logo.png"
    assert title_page.xpath("string(//x:h1)", namespaces=XHTML) == "Branded Test"  # the title stays
    assert "color: #0b5d5a" in css and "border-color: #0b5d5a" in css
    # the cover image: the band in the accent, the logo's own teal near the imprint, the title still drawn
    assert cover.getpixel((800, 60)) == (11, 93, 90)
    assert any(cover.getpixel((x, y)) == (11, 93, 90) for x in range(200, 400, 4) for y in range(1830, 2010, 4))
    pdf = next(out.glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "3", str(pdf), "-"], capture_output=True, text=True).stdout
    assert text.count("Branded Test") >= 2  # cover and title page keep the title beside the logo
    with pikepdf.open(pdf) as doc:
        images = [name for page in list(doc.pages)[:3] for name in page.get_images()]
        assert len(images) >= 2  # the logo on the cover and on the title page
        accent = b"0.043137 0.364706 0.352941"  # #0b5d5a as PDF colour operands
        assert any(accent in page.obj.Contents.read_bytes()[:200000] for page in doc.pages if "/Contents" in page.obj)


@pytest.mark.slow
def test_a_chosen_font_is_embedded_under_its_own_name_and_named_in_the_colophon(tmp_path):
    book = tmp_path / "b"
    shutil.copytree(BRANDED, book)
    with (book / "book.yaml").open("a", encoding="utf-8") as handle:
        handle.write('fonts:\n  text: "Atkinson Hyperlegible"\n')
    out = tmp_path / "dist"
    assert main(["pdf", str(book), "--out-dir", str(out), "-q"]) == 0
    pdf = next(out.glob("*.pdf"))
    names = []
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor" and "/FontFile2" in obj:
                names.append((str(obj.FontName).split("+")[-1],
                              TTFont(io.BytesIO(obj.FontFile2.read_bytes()))["name"].getDebugName(6)))
    assert ("Atkinson-Hyperlegible", "AtkinsonHyperlegible-Regular") in names
    assert not any(own.startswith("SourceSerif4SmText") for _, own in names)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Set in Atkinson Hyperlegible (SIL Open Font License)." in text



def test_the_web_edition_carries_the_logo_and_the_accent_in_the_light_scheme(tmp_path):
    from lxml import html

    out = tmp_path / "web"
    assert main(["html", str(BRANDED), "--out-dir", str(out), "--downloads", str(tmp_path / "none"), "-q"]) == 0
    page = html.fromstring((out / "index.html").read_bytes())
    (logo,) = page.xpath("//header[@class='site']/img[@class='site-logo']")
    assert logo.get("alt") == "Riverside Therapy" and (out / logo.get("src")).read_bytes()[:4] == b"\x89PNG"
    assert page.xpath("string(//header[@class='site']/p[@class='site-title'])") == "Branded Test"
    css = (out / "css" / "web.css").read_text(encoding="utf-8")
    light = css.split("@media (prefers-color-scheme: light)")[-1]
    assert "color: #0b5d5a" in light and css.count("#0b5d5a") == 2


def test_an_unquoted_colour_is_a_comment_to_yaml_and_said_so(tmp_path):
    book = write_book(tmp_path / "b", {"01.md": "---\ntitle: One\n---\n\nText.\n"},
                      extra_yaml="accent_color: #0b5d5a\n")
    loaded, findings = load_book(book)
    (found,) = [f for f in findings if f.code == "y-016"]
    assert found.location.line == 9 and 'accent_color: "#0b5d5a"' in found.hint
    assert loaded.branding.accent == ""
