"""An engine or Keras-side :class:`Issue` as text, in the page language (or English for the CLI).

The engine says ``Issue("spec.too_large", {"what": Term("filters"), "got": 99999, ...})``;
this module finds ``issue.spec.too_large`` (and its ``.hint``) in the catalogue,
formats the numbers (formatting.py), translates :class:`Term` values
(``term.<word>``), escapes user text for Markdown on pages, and prefixes the
layer ("layer 3 (conv2d_1): ") in the same language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from components.engine.errors import Approx, Bytes, Issue, Term, shown_issues
from components.engine.formatting import byte_text, count_text, shape_text
from components.ui.i18n import DEFAULT_LANGUAGE, catalogue, current_language
from components.ui.safe_text import plain


def _entry(key: str, lang: str) -> str | None:
    return catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)


def _fill(key: str, lang: str, values: dict[str, Any]) -> str:
    """The catalogue text for ``key`` with ``values`` filled (braces always unescaped)."""
    text = _entry(key, lang)
    if text is None:
        raise KeyError(key)
    return text.format(**values)


def value_text(value: Any, lang: str, escape: Callable[[object], str] = str) -> str:
    """One value as text: numbers with separators, shapes as 224×224×3, terms translated."""
    if isinstance(value, Term):
        return _fill(f"term.{value}", lang, {})
    if isinstance(value, Bytes):
        return byte_text(value)
    if isinstance(value, Approx):
        return f"{value:.3g}"
    if isinstance(value, bool) or value is None:
        return escape(value)
    if isinstance(value, int | float):
        return count_text(value)
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        return shape_text(value)
    if isinstance(value, tuple):
        return ", ".join(value_text(v, lang, escape) for v in value)
    return escape(value)


def _values(issue: Issue, lang: str, escape: Callable[[object], str]) -> dict[str, str]:
    values = {key: value_text(value, lang, escape) for key, value in issue.values.items()}
    if issue.values.get("more"):  # a capped listing: "a, b, c and 7 more"
        values["fields"] = _fill("issue.list.more", lang, values)
    return values


def where_text(issue: Issue, lang: str, escape: Callable[[object], str] = str) -> str:
    """The prefix naming the layer ("layer 3 (conv2d_1): ") or field, or ''."""
    if issue.layer is not None:
        if issue.layer_name:
            name = escape(issue.layer_name)
            return _fill("issue.where.layer", lang, {"number": issue.layer + 1, "name": name})
        return _fill("issue.where.layer_unnamed", lang, {"number": issue.layer + 1})
    if issue.field:
        return _fill("issue.where.field", lang, {"field": escape(issue.field)})
    return ""


def render_issue(
    issue: Issue,
    lang: str = DEFAULT_LANGUAGE,
    escape: Callable[[object], str] = str,
    *,
    where: bool = True,
    hint: bool = True,
) -> str:
    """The issue's sentence (and hint) in ``lang``; ``escape`` applies to user-supplied text.

    A code without a text (a test checks there is none) shows as code and values rather
    than breaking the page.
    """
    try:
        return _render(issue, lang, escape, where=where, hint=hint)
    except (KeyError, IndexError, ValueError):
        return escape(str(issue))


def _render(
    issue: Issue, lang: str, escape: Callable[[object], str], *, where: bool, hint: bool
) -> str:
    values = _values(issue, lang, escape)
    text = _fill(f"issue.{issue.code}", lang, values)
    if hint and _entry(issue.hint_code, lang) is not None:
        text = _fill(
            "issue.join", lang, {"first": text, "then": _fill(issue.hint_code, lang, values)}
        )
    return (where_text(issue, lang, escape) if where else "") + text


def english(issues: Iterable[Issue] | Issue) -> str:
    """Plain English on one line, issues separated by '; ' (CLI, logs); user text as it is."""
    items = [issues] if isinstance(issues, Issue) else list(issues)
    return "; ".join(render_issue(issue) for issue in items)


def issue_text(issue: Issue, *, where: bool = True, hint: bool = True) -> str:
    """The issue in the page language, user text escaped for Markdown."""
    return render_issue(issue, current_language(), plain, where=where, hint=hint)


def issues_text(issues: Iterable[Issue]) -> str:
    """A Markdown list of the issues (the first few, then how many more)."""
    return "\n".join(f"- {issue_text(issue)}" for issue in shown_issues(list(issues)))


def issue_lines(issues: Iterable[Issue]) -> str:
    """The issues (capped) as paragraphs, for a message box."""
    return "\n\n".join(issue_text(issue) for issue in shown_issues(list(issues)))


def issue_plain_text(issue: Issue, *, where: bool = True, hint: bool = True) -> str:
    """The issue in the page language, unescaped: for table cells and chart text, not Markdown."""
    return render_issue(issue, current_language(), where=where, hint=hint)


def issue_sentences(issues: Iterable[Issue]) -> str:
    """Issues as one run of sentences (a reason, then its details), in the page language."""
    lang = current_language()
    text = ""
    for issue in issues:
        sentence = issue_text(issue)
        text = _fill("issue.join", lang, {"first": text, "then": sentence}) if text else sentence
    return text
