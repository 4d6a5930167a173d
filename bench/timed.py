"""Run the real CLI once and print its per-stage timings as JSON on stdout.

``python -m bench.timed epub|pdf|build BOOK OUT`` runs ``publish.cli.main``
exactly as the command line does (interpreter start and imports included in
the caller's wall time, and the same quick exit as ``publish.cli.run``) and
records the ``BuildResult.timings`` of the one pipeline run, so the
benchmark gets wall time, peak memory and the stage breakdown from a single
process.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import sys
import time
from pathlib import Path

from publish.cli import leave
from publish.cli import main as cli_main


class _RecordBuilds(importlib.abc.MetaPathFinder):
    """Wrap ``publish.pipeline.build`` when the CLI imports the pipeline, not before.

    The CLI forks the process that loads WeasyPrint before it imports the
    pipeline; importing the pipeline here first would start that process
    later than the command line does.
    """

    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def find_spec(self, name, path, target=None):
        if name != "publish.pipeline":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        real_exec = spec.loader.exec_module

        def exec_module(module) -> None:
            real_exec(module)
            real_build = module.build

            def recording_build(*args, **kwargs):
                result = real_build(*args, **kwargs)
                self.timings.update(result.timings)
                return result

            module.build = recording_build

        spec.loader.exec_module = exec_module
        return spec


def run(command: str, book: Path, out: Path) -> dict[str, float]:
    """Run one CLI command; return its stage timings plus ``cli`` (the whole command in-process)."""
    timings: dict[str, float] = {}
    if "publish.pipeline" in sys.modules:
        raise RuntimeError("publish.pipeline is already imported; its build could not be timed as the CLI runs it")
    sys.meta_path.insert(0, _RecordBuilds(timings))
    args = {"epub": ["epub", str(book), "-o", str(out / "book.epub")],
            "pdf": ["pdf", str(book), "-o", str(out / "book.pdf")],
            "build": ["build", str(book), "--epub", str(out / "book.epub"), "--pdf", str(out / "book.pdf")]}[command]
    start = time.perf_counter()
    code = cli_main([*args, "-q"])
    timings["cli"] = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"publish {command} failed with exit code {code}")
    return timings


if __name__ == "__main__":
    command, book, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    print(json.dumps(run(command, book, out)))
    leave(0)  # as the command ends (publish.cli.run)
