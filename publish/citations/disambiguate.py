"""Disambiguation of in-text citations over a whole document (citeproc-py has none).

We follow what citeproc-js does for APA's ``cs:citation`` options, computed
once over every reference of the reference list:

1. given names (``disambiguate-add-givenname`` with a ``primary-name`` or
   ``all-names`` rule): two *different* first authors who print the same
   family name get their initials everywhere, even when years differ
   (``D. R. Hollis, 2019``; APA 8.20);
2. added names (``disambiguate-add-names``): cites that print the same
   "author, date" show as many names as each needs to differ from the others
   (``Varga, Thorne, Ibsen, et al., 2017`` but ``Varga, Ashworth, et al.``);
3. year suffixes (``disambiguate-add-year-suffix``): cites still identical
   get ``a``, ``b``... in reference-list order (titles sort the same-year works).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from publish.citations.render import Renderer
from publish.parallel import fork_map

_NAME_VARIABLES = ("composer", "author", "illustrator", "director", "editor",
                   "editorial_director", "translator")


def _people(renderer: Renderer, ref_id: str) -> list[tuple[str, str]]:
    """(printed family name, full identity) of the names the in-text author shows."""
    ref = renderer.refs[ref_id]
    for variable in _NAME_VARIABLES:
        names = ref.get(variable)
        if names:
            people = []
            for person in names:
                given, family, _dp, ndp, suffix = person.parts()
                short = " ".join(str(p) for p in (ndp, family) if p)
                people.append((short, "|".join(str(p or "") for p in (given, family, ndp, suffix))))
            return people
    return []


def _suffix(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = letters[rest] + text
    return text


def disambiguate(renderer: Renderer, ids: Sequence[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Name overrides and year suffixes for ``ids`` (given in reference-list order)."""
    citation = renderer.style.citation
    option = citation.get_option
    overrides: dict[str, dict[str, Any]] = {i: {} for i in ids}
    people = {i: _people(renderer, i) for i in ids}

    rule = option("givenname-disambiguation-rule")
    if str(option("disambiguate-add-givenname")).lower() == "true" and rule != "by-cite":
        by_family: dict[str, set[str]] = defaultdict(set)
        for i in ids:
            if people[i]:
                by_family[people[i][0][0]].add(people[i][0][1])
        for i in ids:
            if people[i] and len(by_family[people[i][0][0]]) > 1:
                overrides[i]["initials"] = True

    def base(i: str) -> str:
        return renderer.author(i, overrides[i] or None) + "\x00" + renderer.date(i)

    # Each reference's first cite as printed so far, on every core; recomputed below only for the
    # references whose names changed.
    bases = dict(zip(ids, fork_map(base, ids), strict=True))
    if str(option("disambiguate-add-names")).lower() == "true":
        et_al_min = int(citation.get("et-al-min", 0) or 0)
        use_first = int(citation.get("et-al-use-first", 1) or 1)
        groups: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            groups[bases[i]].append(i)
        before = {i: dict(o) for i, o in overrides.items()}
        for members in groups.values():
            if len(members) > 1:
                _add_names(members, people, overrides, et_al_min, use_first)
        bases.update({i: base(i) for i in ids if overrides[i] != before[i]})

    if str(option("disambiguate-add-year-suffix")).lower() == "true":
        groups = defaultdict(list)
        for i in ids:
            groups[bases[i]].append(i)
        suffixes = {i: _suffix(n) for members in groups.values() if len(members) > 1
                    for n, i in enumerate(members)}
    else:
        suffixes = {}
    return {i: o for i, o in overrides.items() if o}, suffixes


def _add_names(members: list[str], people: dict[str, list[tuple[str, str]]],
               overrides: dict[str, dict[str, Any]], et_al_min: int, use_first: int) -> None:
    """Give each member the fewest names that separate it as far as names can."""

    def shown(i: str, n: int) -> tuple[str, ...]:
        names = [p[0] for p in people[i]]
        if et_al_min and len(names) >= et_al_min and n < len(names):
            return (*names[:n], "et al.")
        return tuple(names)

    longest = max((len(people[i]) for i in members), default=0)
    for i in members:
        if not people[i]:
            continue
        start = use_first if et_al_min and len(people[i]) >= et_al_min else len(people[i])

        def clashes(n: int, me: str = i) -> set[str]:
            return {j for j in members if j != me and shown(j, n) == shown(me, n)}

        target = clashes(longest)
        if target == clashes(start):
            continue
        for n in range(start + 1, longest + 1):
            if clashes(n) == target:
                # "et al." is plural (APA 8.18): it never stands for a single name, which is then written
                overrides[i]["use_first"] = len(people[i]) if n == len(people[i]) - 1 else n
                break
