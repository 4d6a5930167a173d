"""The workers' pool: a zygote that loads WeasyPrint while the build reads the book, then forks the workers.

:class:`WorkerPool` forks :func:`_zygote` at the very start of a build.  It
loads WeasyPrint (through :func:`publish.pdf.engine.load`) in parallel with
the build's Markdown and citations and warms up on a sample page; once the
book is read it receives :class:`~publish.pdf.parts.protocol.Start`, forks
one worker per core (:func:`publish.pdf.parts.worker.serve`), which share its
pages, and waits for them.  The build itself never loads WeasyPrint.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from publish.pdf.parts.protocol import Start, Started
from publish.pdf.parts.worker import close_all, serve

if TYPE_CHECKING:
    from publish.model import Book


def _zygote(control: Connection, ends: list[Connection], edition: str = "standard",
            parent_ends: list[Connection] | None = None, scratch: str | None = None) -> None:
    """The process the workers are forked from: it loads WeasyPrint while the build reads the book.

    Started before the book is read, it imports WeasyPrint (half a second
    of a short build) in parallel with the parent's Markdown and citations,
    lays out a sample page if the book is not ready yet (:func:`publish.pdf.document.warm_up`),
    then receives the book, forks one worker per pipe end — the workers
    share its pages — and waits for them.  The parent never loads WeasyPrint.
    """
    workers: list[multiprocessing.process.BaseProcess] = []
    if scratch is not None:  # WeasyPrint's font folders and the like go where the pool removes them
        tempfile.tempdir = scratch
    close_all(parent_ends or [])  # so that a killed parent is seen as end-of-file, here and in the workers
    try:
        from publish.pdf import engine

        engine.load()  # WeasyPrint, and the speed-ups where its version allows
        from publish.pdf.document import warm_up

        if not control.poll():  # the book is still being read: time to warm up (a long book gives seconds)
            warm_up(edition)
        message = control.recv()
        if not isinstance(message, Start):
            return
        book, edition, folder = message.book, message.edition, message.folder
        warm_caches(book)
        context = multiprocessing.get_context("fork")
        gc.freeze()  # keeps the workers' collectors from walking (and so copying) the shared pages
        for end in ends:
            others = [control, *(other for other in ends if other is not end)]
            process = context.Process(target=serve, args=(end, book, edition, folder, others), daemon=True)
            process.start()
            workers.append(process)
        for end in ends:
            end.close()
        control.send(Started(tuple(process.pid for process in workers)))
        for process in workers:
            process.join()
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        for process in workers:
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
    finally:
        control.close()



def warm_caches(book: Book) -> None:
    """Load the hyphenation patterns of the book's languages once, before the workers are forked."""
    import pyphen

    for lang in {book.metadata.language, *(chapter.language for chapter in book.chapters if chapter.language)}:
        fallback = pyphen.language_fallback(lang.replace("-", "_"))
        if fallback:
            pyphen.Pyphen(lang=fallback)  # cached in pyphen's module-level dictionary cache



@contextlib.contextmanager
def layout_pool(edition: str, workers: int | None = None) -> Iterator[WorkerPool | None]:
    """A :class:`WorkerPool` of ``workers`` (default: one per core), closed on exit; ``None`` where
    processes cannot be forked (the PDF is then laid out in the build's own process)."""
    from publish.parallel import cores, fork_available

    if not fork_available():
        yield None
        return
    with WorkerPool(cores() if workers is None else workers, edition) as pool:
        yield pool


class WorkerPool:
    """Worker processes for the parts, forked by a :func:`_zygote` started early in the build.

    ``WorkerPool(n, edition)`` forks the zygote at once (it starts loading
    WeasyPrint and warms up with the edition's styles);
    :meth:`start` hands it the book and forks the ``n`` workers, whose pipes
    are :attr:`connections`.  :meth:`close` ends them all.
    """

    def __init__(self, workers: int, edition: str = "standard"):
        context = multiprocessing.get_context("fork")
        pairs = [context.Pipe() for _ in range(max(1, workers))]
        self.control, zygote_end = context.Pipe()
        self.connections: list[Connection] = [parent for parent, _ in pairs]
        self.pids: list[int] = []
        # Temporary files of the layout processes (WeasyPrint writes each font it embeds to a folder it removes
        # only when the font configuration is collected, which a worker's quick exit never reaches).
        self.scratch = tempfile.mkdtemp(prefix="publish-layout-")
        self.zygote = context.Process(target=_zygote, args=(zygote_end, [child for _, child in pairs], edition,
                                                                 [self.control, *self.connections], self.scratch))
        self.zygote.start()
        zygote_end.close()
        for _, child in pairs:
            child.close()
        self.started = False
        self.closed = False

    def start(self, book: Book, edition: str, folder: Path | None) -> None:
        self.control.send(Start(book, edition, folder))
        self.pids = list(self.control.recv().pids)
        self.started = True

    def close(self) -> None:
        """Ask the workers (or the zygote, if it has none yet) to stop; end whatever is still running.

        Called as soon as the parts are written (the workers' memory is freed
        before the parts are joined), and again, harmlessly, when the build ends.
        A zygote that never received the book is killed at once: it may still
        be importing WeasyPrint, and a build that stopped on errors should not wait for it.
        """
        if self.closed:
            return
        self.closed = True
        if self.started:
            for conn in self.connections:
                with contextlib.suppress(OSError, ValueError):  # a worker that failed has closed its end
                    conn.send(None)
            self.zygote.join(timeout=5)
        if not self.started or self.zygote.is_alive():  # never got the book (errors in it): nothing to wait for
            self.kill()
        for conn in [*self.connections, self.control]:
            conn.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def kill(self) -> None:
        """End the workers and the zygote now (after an error, they may be mid-part)."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.zygote.is_alive():
            self.zygote.kill()
        self.zygote.join()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
