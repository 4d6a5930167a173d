"""WeasyPrint imported with the quick library search loads the same C libraries as its own search."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from publish.pdf.engine.libraries import cached_search

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the search is Linux's")

LOADED = ("import sys\n{prepare}\n"
          "print('\\n'.join(sorted({{line.split()[-1] for line in open('/proc/self/maps') if '.so' in line}})))\n"
          "assert 'weasyprint.text.ffi' in sys.modules")


def _shared_objects(prepare: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", LOADED.format(prepare=prepare)], capture_output=True, text=True,
                          check=True)
    return [line for line in done.stdout.splitlines() if line.startswith("/")]


def test_answers_as_find_library_does_for_what_the_loader_knows():
    find = cached_search()
    for name in ("pango-1.0", "gobject-2.0", "harfbuzz", "fontconfig", "c"):
        assert find(name) == ctypes.util.find_library(name), name
    assert find("pango-1.0") is not None
    assert find("libpango-1.0-0") is None  # a Windows spelling: no compiler run to say so
    assert find("no-such-library-anywhere") is None


def test_the_same_libraries_are_loaded():
    own = _shared_objects("import publish.pdf.engine\nimport weasyprint")  # the gate itself loads a few modules
    quick = _shared_objects("from publish.pdf.engine.libraries import import_weasyprint; import_weasyprint()")
    assert any("libpango-1.0" in path for path in own)
    assert quick == own


def test_a_failed_quick_search_falls_back_to_weasyprints_own():
    """A library the loader's cache does not know fails the first import half-way; the second starts afresh."""
    own = _shared_objects("import publish.pdf.engine\nimport weasyprint")  # the gate itself loads a few modules
    failing = ("import contextlib\n"
               "import publish.pdf.engine.libraries as libraries\n"
               "@contextlib.contextmanager\n"
               "def half_way(find_library):\n"
               "    import weasyprint.text.ffi\n"
               "    sys.modules['weasyprint.text.ffi'].first_try = True\n"
               "    raise OSError('cannot load library')\n"
               "    yield\n"
               "libraries._searching_with = half_way\n"
               "libraries.import_weasyprint()\n"
               "import weasyprint.text.ffi\n"
               "assert not hasattr(weasyprint.text.ffi, 'first_try')")
    assert _shared_objects(failing) == own
