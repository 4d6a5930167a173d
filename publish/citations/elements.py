"""citeproc-py element classes with the rules APA 7 needs and citeproc-py misses.

citeproc-py 0.11.1 interprets CSL through element classes looked up by tag
name; :mod:`.cslxml` parses styles and locales with a lookup that maps the
tags below to these subclasses.  Each override says why it exists (what
citeproc-js, the reference processor, does that citeproc-py does not).
Nothing in citeproc-py itself is patched.
"""

from __future__ import annotations

import re

from citeproc import model as cm
from citeproc.source import VariableError
from citeproc.string import NoCase, String

from publish.citations.state import STATE, Frame

EN_DASH = "\N{EN DASH}"
# Number variables whose hyphenated ranges citeproc-js prints with an en dash; not a report's "number",
# which is an identifier: "NIH Publication No. 18-2059" (APA 10.4).
_RANGE_NUMBERS = {"issue", "volume", "edition", "chapter-number", "collection-number"}
_RANGE = re.compile(r"^\s*(\w+)\s*[-\u2013]\s*(\w+)\s*$")


class Text(cm.Text):
    def process(self, item, context=None, **kwargs):
        """Track variables for group suppression; print number ranges with an en dash."""
        variable = self.get("variable")
        if variable is None:
            return super().process(item, context=context, **kwargs)
        try:
            text, language = super().process(item, context=context, **kwargs)
        except VariableError:
            if variable != "year-suffix":
                STATE.note(variable, False)
            raise
        if text is not None and variable in _RANGE_NUMBERS:
            match = _RANGE.match(str(text))
            if match:
                text = String(match.group(1) + EN_DASH + match.group(2))
        if variable != "year-suffix":  # generated, not a data variable (as in citeproc-py)
            STATE.note(variable, bool(text))
        return text, language


    def case(self, text, language=None):
        """Title case with citeproc-js's stop words ("after", "between"...) and the first letter
        of a word capitalised after an opening bracket or quote: "(Psychotherapy)"."""
        if self.get("text-case") != "title" or language != "en":
            return super().case(text, language)
        output = []
        previous = ":"
        for word in text.words():
            plain = str(word)
            if word.islower() and (plain not in _STOP_WORDS or previous in ":.?!"):
                word = _capitalize_letter(word)
            elif word.islower():
                word = word.soft_lower()
            previous = plain[-1:]
            output.append(word)
        return " ".join(output)


_STOP_WORDS = frozenset(
    "about above across afore after against al along alongside amid amidst among amongst anenst apropos "
    "apud around as aside astride at athwart atop barring before behind below beneath beside besides "
    "between beyond but by circa despite down during et except for forenenst from given in inside into "
    "lest like modulo near next notwithstanding of off on onto out over per plus pro qua sans since than "
    "through thru throughout thruout till to toward towards under underneath until unto up upon versus "
    "vs. v. vs v via vis-à-vis with within without or yet so and nor a an the de d' von van c ca".split())


_OPENERS = "([{\u201c\u2018\"'"


def _capitalize_letter(word: String) -> String:
    """Upper-case the first character of ``word`` (past opening brackets and quotes) when it is a
    lower-case letter; "14th" and "&amp;" stay as they are."""
    plain = str(word)
    index = len(plain) - len(plain.lstrip(_OPENERS))
    if isinstance(word, NoCase) or index >= len(plain) or not plain[index].islower():
        return word
    return word.__class__(plain[:index] + plain[index].upper() + plain[index + 1:])


class Number(cm.Number):
    def process(self, item, context=None, **kwargs):
        """Track the variable for group suppression (see :class:`Group`)."""
        variable = self.get("variable")
        try:
            text = super().process(item, context=context, **kwargs)
        except VariableError:
            STATE.note(variable, False)
            raise
        STATE.note(variable, bool(text))
        return text


class Names(cm.Names):
    def process(self, item, names_context=None, context=None, **kwargs):
        """Track the variables for group suppression and substitution."""
        roles = [r for r in self.get("variable", "").split() if r]
        try:
            text = super().process(item, names_context=names_context, context=context, **kwargs)
        except VariableError:
            for role in roles:
                STATE.note(role, False)
            raise
        for role in roles:
            STATE.note(role, bool(text) and role.replace("-", "_") in item.reference)
        return text


class Substitute(cm.Substitute):
    def render(self, item, context=None, **kwargs):
        """Suppress every variable a substitute printed, not only ``cs:text`` ones."""
        for child in self.getchildren():
            mark = len(STATE.rendered_vars)
            try:
                if isinstance(child, cm.Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            if text:
                hidden = {v.replace("-", "_") for v in STATE.rendered_vars[mark:]}
                item.reference.hidden.update(hidden)
                return text
        return None


class Group(cm.Group):
    def process(self, item, context=None, **kwargs):
        """Suppress the group when it called variables and all were empty.

        citeproc-py decides this from which children *could* call a variable, so
        a ``cs:choose`` whose taken branch prints only a value (APA's
        "publication" before a thesis number) was kept alone: "(Publication)".
        We count the variables actually called and printed at render time.
        """
        frame = Frame()
        STATE.frames.append(frame)
        output = []
        delimiter = self.get("delimiter", "")
        try:
            for child in self.iterchildren():
                try:
                    if isinstance(child, cm.Choose):
                        text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except VariableError:
                    continue
                if text is not None and str(text) != "":
                    output.append(text)
        finally:
            STATE.frames.pop()
        parent = STATE.frames[-1] if STATE.frames else Frame()
        parent.called = parent.called or frame.called
        if not output or (frame.called and not frame.rendered):
            raise VariableError
        parent.rendered = parent.rendered or frame.rendered
        return self.join(output)


class Label(cm.Label):
    def _is_plural(self, item):
        """A locator range or list of roman numerals or letters is plural too ("pp. iv–vi");
        citeproc-py counted only digits on both sides."""
        if self.get("variable") == "number":
            return False  # one report or publication number, hyphen or not: "No. 18-2059" (APA 10.4)
        if self.get("variable") == "locator" and item.locator is not None:
            return bool(_MULTIPLE.search(str(item.locator.identifier))) or super()._is_plural(item)
        return super()._is_plural(item)

    def get_term(self, name, form=None, *args, **kwargs):
        """A term missing in the requested form falls back as CSL says (verb-short -> verb -> long,
        symbol -> short -> long): the reviewed author's "by" exists only as a verb."""
        term = super().get_term(name, form, *args, **kwargs)
        while term is None and form is not None:
            form = _TERM_FALLBACK.get(form)
            term = super().get_term(name, form, *args, **kwargs)
        return term

    def markup(self, text):
        """Apply ``text-case`` to terms: citeproc-py skips title case with no language,
        which gave "(eds.)" and "trans." instead of "(Eds.)" and "Trans."."""
        if text:
            return self.wrap(self.format(self.case(self.strip_periods(text), "en")))
        return None


_TERM_FALLBACK = {"verb-short": "verb", "symbol": "short", "short": None, "verb": None}
_MULTIPLE = re.compile(r"\w\s*(?:[-\u2013,&]|and)\s*\w")


class Date(cm.Date):
    def process(self, item, variable=None, show_parts=None, context=None, **kwargs):
        """Track the variable for group suppression (see :class:`Group`)."""
        name = variable or self.get("variable")
        try:
            text = super().process(item, variable, show_parts, context, **kwargs)
        except VariableError:
            STATE.note(name, False)
            raise
        STATE.note(name, bool(text))
        return text

    def render_date_range(self, date_range, show_parts=None, context=None):
        """Render ``2022, June 15–17``: common parts once, differing parts as a range.

        citeproc-py's version raises TypeError for a range within one month.
        """
        context = context if context is not None else self
        show = list(show_parts or ["year", "month", "day"])
        begin, end = date_range.begin, date_range.get("end")
        if end is None or end.is_nil():
            return self.render_single_date(begin, show, context)
        differ = False
        same: list[str] = []
        for part in ("year", "month", "day"):
            if begin.get(part) != end.get(part):
                differ = True
            if not differ and part in show:
                same.append(part)
        if not differ:
            return self.render_single_date(begin, show, context)
        children = [c for c in self.iterchildren() if c.get("name") in show]
        names = [c.get("name") for c in children]
        diff = [n for n in names if n not in same]
        if not diff:  # the differing parts are not shown (``date-parts="year"``)
            return self.render_single_date(begin, show, context)
        start = names.index(diff[0])
        stop = max(names.index(n) for n in diff) + 1
        block = names[start:stop]
        pieces = self.parts(begin, names[:start], context)
        first = self.parts(begin, block, context)
        last = self.parts(end, block, context)
        if not first or not last:
            return self.render_single_date(begin, show, context)
        joiner = context if self.is_locale_date() else self
        last_text = str(joiner.join(last))
        prefix = self._part_prefix(children[start], context)
        if prefix and last_text.startswith(prefix):
            last_text = last_text[len(prefix):]
        ranged = str(joiner.join(first)) + EN_DASH + last_text
        tail = self.parts(begin, names[stop:], context)
        return joiner.join([*pieces, ranged, *tail]) if pieces or tail else ranged

    @staticmethod
    def _part_prefix(part, context) -> str:
        prefix = part.get("prefix", "")
        try:
            expr = f'./cs:date-part[@name="{part.get("name")}"]'
            override = context.xpath_search(expr)
            if override:
                prefix = override[0].get("prefix", prefix)
        except (AttributeError, IndexError):
            pass
        return prefix


class Name(cm.Name):
    def get_option(self, name, context=None, sort_options=None):
        """Let sort keys set name options through nested macros.

        citeproc-py passes a sort key's ``names-min``/``name-as-sort-order`` only to
        the first macro level; APA's ``author-sort`` calls ``author``, so the options
        were lost.  We keep them in :data:`STATE` for the whole key render.
        """
        if STATE.name_options and name in STATE.name_options:
            sort_options = STATE.name_options
        return super().get_option(name, context, sort_options)

    def initialize(self, given, mark, context):
        """Initials as citeproc-js makes them: "Jean-Luc" -> "J.-L.", "Ji-woo" -> "J.".

        citeproc-py printed "J.-. woo ." for a hyphenated given name whose second
        part is lower case; citeproc-js drops such a part, and keeps a lower-case
        word standing alone (a particle) as it is.
        """
        dot = mark.rstrip()
        gap = mark[len(dot):]
        hyphen = self.get_option("initialize-with-hyphen", context)
        words = []
        for word in str(given).replace(".", ". ").split():
            parts = [p for p in (word.split("-") if hyphen else [word.replace("-", "")]) if p]
            initials = [p[0] + dot for p in parts if p[0].isupper()]
            if initials:
                words.append("-".join(initials))
            elif parts:
                words.append(word)
        return gap.join(words).strip()

    def process(self, item, variable, context=None, sort_options=None, **kwargs):
        """Render disambiguated in-text names (added names, initials) when asked."""
        override = STATE.name_override
        if not override or self.get_option("form", context, sort_options) == "count":
            return super().process(item, variable, context=context, sort_options=sort_options, **kwargs)
        names = item.reference.get(variable, [])
        et_al_min = self.get_option("et-al-min", context, sort_options)
        use_first = override.get("use_first") or self.get_option("et-al-use-first", context, sort_options)
        truncate = bool(et_al_min) and len(names) >= et_al_min and use_first < len(names)
        shown = names[:use_first] if truncate else names
        texts = []
        for index, person in enumerate(shown):
            given, family, _dp, ndp, _suffix = person.parts()
            family = " ".join(str(n) for n in (ndp, family) if n)
            if index == 0 and override.get("initials") and given:
                family = self.initialize(str(given), ". ", context).strip() + " " + family
            texts.append(family)
        delimiter = self.get_option("delimiter", context, sort_options)
        if truncate:
            et_al = str(self.et_al())
            if len(texts) >= 2:
                return String(delimiter.join(texts) + delimiter + et_al)
            return String(texts[0] + " " + et_al)
        and_opt = override.get("and") or self.get_option("and", context, sort_options)
        if and_opt and len(texts) > 1:
            symbol = and_opt == "symbol"
            and_term = str(self.preformat("&") if symbol else self.get_single_term(name="and"))
            head = delimiter.join(texts[:-1])
            sep = delimiter if len(texts) > 2 else " "
            return String(f"{head}{sep}{and_term} {texts[-1]}")
        return String(delimiter.join(texts))


_NUMERIC = re.compile(r"^\s*[A-Za-z]*\d+[A-Za-z]*(?:\s*(?:[-\u2013,&]|and)\s*[A-Za-z]*\d+[A-Za-z]*)*\s*$")
# A locator the author gave a label to ("chap. iv") is a number written in roman numerals: the label stays.
_ROMAN = re.compile(r"^\s*[ivxlcdm]+(?:\s*[-\u2013,&]\s*[ivxlcdm]+)*\s*$", re.I)


class If(cm.If):
    def _is_numeric(self, item):
        """CSL counts ranges and lists ("2-3", "2, 4", "2 & 4") as numeric; citeproc-py
        did not, so "Chapters 2–3" lost its label."""
        results = []
        for var in self.get("is-numeric").split():
            value = item.reference.get(var.replace("-", "_"))
            roman = var == "locator" and value is not None and bool(_ROMAN.match(str(value)))
            results.append(value is not None and (bool(_NUMERIC.match(str(value))) or roman))
        return results


class Else_If(If):
    pass


OVERRIDES = (Text, Number, Names, Substitute, Group, Label, Date, Name, If, Else_If)
