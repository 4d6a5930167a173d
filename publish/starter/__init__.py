"""``publish new DIR``: a book folder that builds at once, to start a series from.

It holds what a new author needs to see working before writing: ``book.yaml``
with placeholders and a comment on every line that needs one, a sample
article that shows a citation, a pull quote, an image with its description
and a footnote, a small bibliography as Zotero exports it, and a
``.gitignore`` for the built files.  The book's identifier is made here, once:
every edition of the new book keeps it.  Nothing is written unless all of it
can be (the folder is filled beside its final name, then renamed).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from importlib.resources import files
from pathlib import Path
from string import Template

from publish.findings import Finding, error

TEMPLATE = files(__package__) / "template"
# Template files and where they go; ``gitignore`` is shipped without its dot (package data drops dotfiles).
LAYOUT = {
    "book.yaml": "book.yaml",
    "chapters/01-first-article.md": "chapters/01-first-article.md",
    "references.json": "references.json",
    "images/calm-lake.png": "images/calm-lake.png",
    "gitignore": ".gitignore",
}


def create(folder: Path, language: str = "en-GB", today: dt.date | None = None) -> list[Finding]:
    """Write a new book folder at ``folder``; the findings say why nothing was written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "a file" if not folder.is_dir() else "a folder that is not empty"
        return [error("f-009", f"'{folder}' is {what}", None,
                      "give the name of a new folder, e.g. publish new my-series")]
    day = today or dt.date.today()
    values = {"identifier": str(uuid.uuid4()), "date": day.isoformat(), "year": str(day.year),
              "language": language}
    parent = folder.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=parent))
        mask = os.umask(0)
        os.umask(mask)
        staging.chmod(0o777 & ~mask)  # a folder like any the user makes, not mkdtemp's private one
    except OSError as exc:
        return [error("f-006", f"cannot create '{folder}': {exc.strerror or exc}", None,
                      "choose a folder you can write to")]
    try:
        for source, target in LAYOUT.items():
            path = staging / target
            path.parent.mkdir(parents=True, exist_ok=True)
            data = (TEMPLATE / source).read_bytes()
            if source == "book.yaml":
                data = Template(data.decode("utf-8")).substitute(values).encode("utf-8")
            path.write_bytes(data)
        if folder.is_dir():
            folder.rmdir()  # empty, checked above
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        return [error("f-006", f"cannot create '{folder}': {exc.strerror or exc}", None,
                      "choose a folder you can write to")]
    return []


def next_steps(folder: Path) -> list[str]:
    """What to do after ``publish new``, as the CLI prints it."""
    return [
        f"Created the book folder {folder}/ with a sample article. Next:",
        f"  1. Open {folder}/book.yaml and replace each [[placeholder]] with your practice's details.",
        f"  2. Write your article in {folder}/chapters/ (the sample shows citations, pull quotes, images, notes);",
        "     export your Zotero library as CSL JSON or Better BibTeX over references.json.",
        f"  3. Build the EPUB and the PDF:   publish build {folder}",
        f"  4. Before a release, check it:   publish check {folder} --strict",
    ]
