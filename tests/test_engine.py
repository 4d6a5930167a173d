"""The gate to WeasyPrint's internals: the real book both ways, an untested version, a wrong glyph in a join."""

from __future__ import annotations

import io
import struct

import pytest
from conftest import BOOK, write_book

from publish.cli import main
from publish.pdf import engine
from publish.pdf.parts import fonts


@pytest.fixture
def fresh_engine():
    """The gate decides once per process; these tests change what it sees, then let it decide again."""
    engine.engine.cache_clear()
    yield
    engine.engine.cache_clear()


def _build(book, out, capsys) -> tuple[int, str]:
    code = main(["build", str(book), "--out-dir", str(out)])
    return code, capsys.readouterr().err


def test_the_real_book_plain_is_byte_identical_to_the_fast_way(tmp_path, monkeypatch, capsys, fresh_engine):
    code, _ = _build(BOOK, tmp_path / "fast", capsys)
    assert code == 0 and engine.fast()
    monkeypatch.setenv("PUBLISH_PLAIN", "1")
    engine.engine.cache_clear()
    code, err = _build(BOOK, tmp_path / "plain", capsys)
    assert code == 0 and not engine.fast()
    assert "x-010" not in err  # asked for: no warning
    for fast in sorted((tmp_path / "fast").iterdir()):
        assert fast.read_bytes() == (tmp_path / "plain" / fast.name).read_bytes(), fast.name


def test_an_untested_weasyprint_lays_out_whole_with_one_warning(tmp_path, monkeypatch, capsys, fresh_engine):
    chapters = {f"0{i}-a.md": f"---\ntitle: Article {i}\n---\n\nWords of article {i}.\n" for i in range(1, 6)}
    book = write_book(tmp_path / "book", chapters)
    code, err = _build(book, tmp_path / "fast", capsys)
    assert code == 0 and "laying out the PDF in " in err and "x-010" not in err  # five articles: in parts
    monkeypatch.setattr(engine, "_installed", lambda name: "69.0" if name == "weasyprint" else "0.13.0")
    engine.engine.cache_clear()
    code, err = _build(book, tmp_path / "out", capsys)
    assert code == 0, err
    assert not engine.fast()
    assert err.count("x-010") == 1 and "weasyprint 69.0" in err
    assert "laying out the PDF in " not in err  # whole: the parts need the hook
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1 and len(list((tmp_path / "out").glob("*.epub"))) == 1


def test_make_installs_the_tested_versions_and_the_package_allows_them():
    """constraints.txt (what make installs) pins the versions the gate was written for; pyproject allows them."""
    import re

    from conftest import ROOT

    pins = ROOT.joinpath("constraints.txt").read_text(encoding="utf-8")
    for name, versions in engine.TESTED.items():
        assert re.search(rf"^{name}=={re.escape(versions[0])}$", pins, re.M), name
    ranges = ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8")
    assert '"weasyprint>=69.0,<71"' in ranges  # 69 is laid out plainly (tested by hand), 70.0 fast


def _font(glyphs: list[bytes]) -> bytes:
    """A minimal TrueType font with ``glyphs`` as its raw glyf records (enough for the join's readers)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef"] + [f"g{i}" for i in range(1, len(glyphs))]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({})
    pen = TTGlyphPen(None)
    builder.setupGlyf({name: pen.glyph() for name in names})
    builder.setupHorizontalMetrics({name: (500, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupMaxp()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    font = builder.font
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(out.getvalue()))
    glyf = b"".join(record + b"\0" * (-len(record) % 4) for record in glyphs)
    offsets, at = [], 0
    for record in glyphs:
        offsets.append(at)
        at += len(record) + (-len(record) % 4)
    offsets.append(at)
    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    for tag, data in (("glyf", glyf), ("loca", struct.pack(f">{len(offsets)}I", *offsets))):
        table = DefaultTable(tag)
        table.data = data
        font[tag] = table
    font["head"].indexToLocFormat = 1
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


RECORD_A = struct.pack(">hhhhh", 0, 0, 0, 10, 10)  # an empty simple glyph header: 10 bytes
RECORD_B = struct.pack(">hhhhh", 0, 0, 0, 20, 20)


def test_subsets_that_agree_are_joined():
    joined = fonts._join_glyphs([_font([b"", RECORD_A, b""]), _font([b"", b"", RECORD_B])])
    from fontTools.ttLib import TTFont

    records, _ = fonts._glyph_records(TTFont(io.BytesIO(joined)))
    assert [r.rstrip(b"\0") for r in records] == [b"", RECORD_A, RECORD_B]


def test_subsets_that_disagree_on_a_glyph_stop_the_join():
    with pytest.raises(fonts.FontMismatch, match="glyph 1"):
        fonts._join_glyphs([_font([b"", RECORD_A, b""]), _font([b"", RECORD_B, b""])])
