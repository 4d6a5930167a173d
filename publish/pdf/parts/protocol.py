"""The messages between the build (the coordinator), the zygote and the layout workers, as types.

Every message crosses a ``multiprocessing`` pipe (pickled), one way:

coordinator → zygote      :class:`Start` (the book; the zygote forks the workers), answered by :class:`Started`
coordinator → worker      :class:`Job`, :class:`Descriptions` (once, for parts linking to other parts),
                          :class:`Offset` (the answer to :class:`Pages`), ``None`` (stop)
worker → coordinator      :class:`Pages`, then :class:`LaidOut`, then :class:`Done`; or :class:`Failed`

A part's worker asks one question (:class:`Pages`: "I have n pages; how many
come before me?") and waits for the :class:`Offset`; a count-only job
(the front matter's first run) stops after asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI forks the zygote before the rest of the package is imported: keep this module light
    from publish.findings import Finding
    from publish.model import Book
    from publish.pdf.print_html import Part


@dataclass(frozen=True)
class Start:
    """The book is read: fork the workers, which inherit it."""

    book: Book
    edition: str
    folder: Path | None  # where the parts' PDFs go; None when only the page map is wanted


@dataclass(frozen=True)
class Started:
    pids: tuple[int, ...]


@dataclass(frozen=True)
class Job:
    """One part for a worker: index 0 is the front matter, 1… the runs of articles in order."""

    index: int
    part: Part
    count_only: bool = False  # paginate, report the page count and stop
    linked: bool = False  # one of several parts: links to other parts are described from the parent's tree


@dataclass(frozen=True)
class Descriptions:
    """id → words describing a link to it, from the whole book's tree (a part sees only its own)."""

    targets: dict[str, str]


@dataclass(frozen=True)
class Offset:
    """The pages before the asking part: its folios count on from here."""

    pages: int


@dataclass(frozen=True)
class Pages:
    index: int
    count: int


@dataclass(frozen=True)
class LaidOut:
    """What the coordinator needs of a laid-out part: the page map's places, where sections start, its anchors."""

    index: int
    places: list[Any]  # publish.render.pagemap.Place or None, one per page
    starts: dict[str, int]  # a section's id → the page (in the part) it starts on
    anchors: frozenset[str]
    findings: list[Finding]


@dataclass(frozen=True)
class Done:
    index: int


@dataclass(frozen=True)
class Failed:
    index: int
    traceback: str


def part_path(folder: Path, index: int) -> Path:
    """Where a worker writes part ``index``'s PDF."""
    return folder / f"part-{index:03d}.pdf"
