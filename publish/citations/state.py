"""Render-time state shared by our citeproc-py element overrides.

Group suppression counters and name options for sorting and disambiguation
live in :data:`STATE`, a thread-local, because lxml element proxies cannot
reliably carry Python attributes between calls.  :class:`Item` and
:class:`RefView` give each render its own view of a reference, in which
variables used by ``cs:substitute`` become empty.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from citeproc.source import CitationItem, Locator, VariableError


@dataclass
class Frame:
    called: bool = False
    rendered: bool = False


@dataclass
class RenderState(threading.local):
    """Per-thread state of one render call (see module docstring)."""

    frames: list[Frame] = field(default_factory=list)
    rendered_vars: list[str] = field(default_factory=list)
    name_options: dict[str, Any] | None = None  # sort-key name options
    name_override: dict[str, Any] | None = None  # disambiguation: {"use_first": n, "initials": bool}

    def reset(self) -> None:
        self.frames = [Frame()]
        self.rendered_vars = []

    def note(self, variable: str, rendered: bool) -> None:
        """Record that ``variable`` was called, and whether it printed anything."""
        if not self.frames:
            self.frames.append(Frame())
        frame = self.frames[-1]
        frame.called = True
        if rendered:
            frame.rendered = True
            self.rendered_vars.append(variable)


STATE = RenderState()


class RefView(dict):
    """A reference as one render sees it: substituted variables become empty.

    CSL says a variable that stood in for the author (``cs:substitute``) is
    suppressed in the rest of the output; citeproc-py only suppresses plain
    ``cs:text`` variables, so editors and titles were printed twice.  Every
    element reads the reference through ``item.reference``, so hiding keys here
    covers names, dates, numbers and conditions alike.
    """

    def __init__(self, base: dict, extra: dict[str, Any]) -> None:
        super().__init__()
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_extra", extra)
        object.__setattr__(self, "hidden", set())

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):  # citeproc-py asks for "reviewed-author"; references hold "reviewed_author"
            key = key.replace("-", "_")
        if key in self.hidden:
            return False
        return key in self._extra or key in self._base

    def __getitem__(self, key: str) -> Any:
        key = key.replace("-", "_")
        if key in self.hidden:
            raise VariableError
        if key in self._extra:
            return self._extra[key]
        return self._base[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except (VariableError, KeyError):
            return default

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self[name]


class Item(CitationItem):
    """A citation item whose ``reference`` is a :class:`RefView` of our source."""

    def __init__(self, key: str, reference: dict, locator: Locator | None = None) -> None:
        args = {"locator": locator} if locator is not None else {}
        super().__init__(key, **args)
        extra = {"locator": locator.identifier} if locator is not None else {}
        dict.__setitem__(self, "_view", RefView(reference, extra))

    @property
    def reference(self) -> RefView:
        return dict.__getitem__(self, "_view")

    def __contains__(self, key: object) -> bool:  # has_locator uses `'locator' in self`
        return key != "_view" and dict.__contains__(self, key)
