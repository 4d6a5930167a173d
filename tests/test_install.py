"""The tool as Python tools are installed: a wheel in a fresh environment, run from another folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import BOOK, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding only the built wheel; its dependencies come from this environment's site-packages."""
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(work / "wheel"), str(ROOT)], check=True, capture_output=True)
    wheel = next((work / "wheel").glob("accessible_publish-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    site = next((work / "venv" / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    with zipfile.ZipFile(wheel) as archive:  # what pip does for a pure wheel, without reaching PyPI
        archive.extractall(site)
    return work


def _run(installed: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    python = installed / "venv" / "bin" / "python"
    return subprocess.run([str(python), "-m", "publish", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_carries_the_styles_and_the_licences(installed):
    wheel = next((installed / "wheel").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("publish/styles/csl/apa.csl", "publish/styles/csl/locales-en-US.xml", "publish/styles/epub.css",
                   "publish/styles/print.css", "publish/styles/icc/FOGRA39.icc",
                   "publish/styles/fonts/AtkinsonHyperlegible-Regular.ttf"):
        assert needed in names, needed
    assert any(name.endswith("/LICENSE") and ".dist-info/" in name for name in names)
    assert "publish/styles/fonts/OFL-AtkinsonHyperlegible.txt" in names  # the fonts keep their licence beside them


def test_installed_tool_builds_the_book_from_another_folder(installed, tmp_path, built):
    folder = tmp_path / "elsewhere"
    shutil.copytree(BOOK, folder / "book")
    version = _run(installed, "--version", cwd=folder)
    assert version.returncode == 0 and version.stdout.startswith("publish (accessible-publish) ")
    done = _run(installed, "build", "book", "--out-dir", "out", cwd=folder)
    assert done.returncode == 0, done.stderr
    where = _run(installed, "-c", "x", cwd=folder)  # not a command: usage error, exit 2
    assert where.returncode == 2
    for name in (built["epub"].name, built["pdf"].name):  # the same bytes as the clone's build
        assert (folder / "out" / name).read_bytes() == (built["dir"] / name).read_bytes(), name
