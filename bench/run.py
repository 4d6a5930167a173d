"""``make bench``: time our EPUB and PDF builds against pandoc on synthetic series of 1, 10 and 50 articles.

For each size it runs, each in a fresh process: ``publish epub``, ``publish
pdf`` and ``publish build`` (wall time, peak memory of the process and the
workers it forks — summed proportional set size, sampled every 50 ms — and
the pipeline's own stage timings), then the peer pipeline
on the same corpus: ``pandoc --citeproc`` → EPUB, and ``pandoc --citeproc``
→ standalone HTML → WeasyPrint ``pdf/ua-1``.  It prints a table with our
time as a ratio of pandoc's, the growth per article, and the time of a
second ``make epub pdf`` that has nothing to do.  ``--repeat R`` (or
``BENCH_REPEAT``) runs every command R times and keeps each one's fastest
run, ours and pandoc's alike: on a shared machine single runs vary by ±20 %.

The numbers are reported, never asserted: machines differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import make_series

ROOT = Path(__file__).resolve().parent.parent
CSL = ROOT / "styles" / "csl" / "apa.csl"
PY = sys.executable
WEASYPRINT = ("import sys; from weasyprint import HTML; "
              "HTML(sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3], pdf_variant='pdf/ua-1')")


@dataclass
class Run:
    wall: float
    peak_mib: float
    stages: dict[str, float] = field(default_factory=dict)


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from the parent ids in ``/proc/*/stat``."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += parents.get(pid, [])
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _sample_memory(proc: subprocess.Popen, peak: list[int], interval: float = 0.05) -> None:
    """Peak of the summed proportional set size (PSS) of the command and every process it started.

    A build that forks workers uses the memory of all of them at once, and
    pages a worker shares with its parent count once, split between them —
    the same rule for our build and for pandoc's pipeline.
    """
    while proc.poll() is None:
        peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _tree(proc.pid)))
        time.sleep(interval)


def measure(argv: list[str], cwd: Path | None = None) -> tuple[Run, str]:
    """Run a command; its wall time and the peak memory of its process tree (see :func:`_sample_memory`)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        peak = [0]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, text=True)
        sampler = threading.Thread(target=_sample_memory, args=(proc, peak), daemon=True)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - start
        sampler.join()
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:3])}… failed ({proc.returncode}):\n{err.read()[-2000:]}")
        return Run(wall, peak[0] / 1024), out.read()


def ours(command: str, book: Path, out: Path) -> Run:
    out.mkdir(parents=True, exist_ok=True)
    run, stdout = measure([PY, "-m", "bench.timed", command, str(book), str(out)], cwd=ROOT)
    run.stages = json.loads(stdout.strip().splitlines()[-1])
    return run


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def peer(book: Path, out: Path) -> dict[str, Run]:
    """pandoc --citeproc to EPUB; pandoc --citeproc to HTML, then WeasyPrint pdf/ua-1."""
    out.mkdir(parents=True, exist_ok=True)
    chapters = sorted(str(p.relative_to(book)) for p in (book / "chapters").glob("*.md"))
    common = [pandoc_path(), *chapters, "--citeproc", "--bibliography", "references.json", "--csl", str(CSL),
              "--resource-path", ".:chapters", "--metadata", "title=Benchmark Series", "--metadata", "lang=en-GB"]
    html = out / "peer.html"
    runs = {
        "epub": measure([*common, "-o", str(out / "peer.epub")], cwd=book)[0],
        "html": measure([*common, "-s", "-o", str(html)], cwd=book)[0],
    }
    runs["weasyprint"] = measure([PY, "-c", WEASYPRINT, str(html), (book / "chapters").as_uri() + "/",
                                  str(out / "peer.pdf")])[0]
    return runs


def noop_make(book: Path, dist: Path) -> float:
    """Seconds for a second ``make epub pdf`` on an unchanged book (the first one builds)."""
    args = ["make", "-s", "-C", str(ROOT), "epub", "pdf", f"BOOK={book}", f"DIST={dist}"]
    subprocess.run(args, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


STAGES = ("load", "citations", "layout", "pdf", "join", "epub")


def _fastest(best: Run | None, run: Run) -> Run:
    """The faster of two runs of one command (its own stages and peak memory go with it)."""
    return run if best is None or run.wall < best.wall else best


def report(results: dict[int, dict], noop: float | None, pandoc_version: str) -> str:
    lines = [f"Synthetic series: ~2,000 words, 8 citations, 2 pull quotes, a footnote and an image per article; "
             f"peer: pandoc {pandoc_version} + WeasyPrint", ""]
    head = f"{'N':>3}  {'run':<22}{'wall s':>8}{'peak MiB':>10}  " + "".join(f"{s:>10}" for s in STAGES)
    lines += [head, "-" * len(head)]
    for n, res in results.items():
        for command in ("epub", "pdf", "build"):
            run: Run = res[command]
            stages = "".join(f"{run.stages.get(s, float('nan')):>10.2f}" for s in STAGES)
            lines.append(f"{n:>3}  {'publish ' + command:<22}{run.wall:>8.2f}{run.peak_mib:>10.0f}  {stages}")
        p = res["peer"]
        labels = (("epub", "pandoc → EPUB"), ("html", "pandoc → HTML"), ("weasyprint", "  HTML → WeasyPrint"))
        for name, label in labels:
            lines.append(f"{n:>3}  {label:<22}{p[name].wall:>8.2f}{p[name].peak_mib:>10.0f}")
        total = sum(r.wall for r in p.values())
        peak = max(r.peak_mib for r in p.values())
        lines.append(f"{n:>3}  {'pandoc total':<22}{total:>8.2f}{peak:>10.0f}")
        lines.append("")
    lines.append(f"{'N':>3}  {'build / peer total':>20}  {'epub / pandoc epub':>20}  "
                 f"{'pdf / (html+weasy)':>20}  {'memory ours/peer':>18}  {'build s/article':>16}")
    for n, res in results.items():
        p = res["peer"]
        total = sum(r.wall for r in p.values())
        peak = max(r.peak_mib for r in p.values())
        lines.append(f"{n:>3}  {res['build'].wall / total:>20.2f}  {res['epub'].wall / p['epub'].wall:>20.2f}  "
                     f"{res['pdf'].wall / (p['html'].wall + p['weasyprint'].wall):>20.2f}  "
                     f"{res['build'].peak_mib / peak:>18.2f}  {res['build'].wall / n:>16.3f}")
    if noop is not None:
        lines += ["", f"no-op `make epub pdf` (second run, nothing changed): {noop:.3f} s"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1,10,50"),
                        help="comma-separated article counts (default 1,10,50)")
    parser.add_argument("--keep", type=Path, help="keep the corpora and outputs in this folder")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "1")),
                        help="run every command R times and keep the fastest (a busy machine adds noise)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    import pypandoc

    work = args.keep or Path(tempfile.mkdtemp(prefix="publish-bench-"))
    results: dict[int, dict] = {}
    noop = None
    try:
        for n in sizes:
            book = make_series(work / f"series-{n}", n)
            print(f"… N={n}: publish epub, pdf, build; pandoc", file=sys.stderr)
            res: dict = {}
            for _ in range(args.repeat):  # the fastest of R runs: both sides, same rule
                for command in ("epub", "pdf", "build"):
                    res[command] = _fastest(res.get(command), ours(command, book, work / f"out-{n}-{command}"))
                runs = peer(book, work / f"peer-{n}")
                res["peer"] = {k: _fastest(res.get("peer", {}).get(k), v) for k, v in runs.items()}
            results[n] = res
        middle = work / f"series-{sizes[min(1, len(sizes) - 1)]}"
        noop = noop_make(middle, work / "make-dist")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, noop, pypandoc.get_pandoc_version()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
