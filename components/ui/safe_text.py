"""User text shown as it is, in one place: never Markdown, HTML, a link or math.

Streamlit renders every message, title and caption as GitHub-flavoured Markdown
(links, bare URLs, e-mail addresses, HTML, ``$math$``), and plotly renders HTML
tags in chart text. Anything a user typed or a link carried (a query value, a
spec's name, a file name, an engine message quoting them) goes through
:func:`plain` before it reaches ``st.markdown``/``title``/``error``/``warning``/
``info``/``caption``/``spinner``, and through :func:`chart_text` before a chart.
"""

from __future__ import annotations

import html
import re

# CommonMark's backslash escapes cover ASCII punctuation; these are the characters
# that start markup, links, autolinks (``https:``, ``www.``, ``a@b``), HTML and math.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~:@$&])")
# The browser's GFM links bare URLs and e-mail addresses in the text *after* escapes
# are resolved, so backslashes do not stop them; an invisible word joiner does.
_AUTOLINK = re.compile(r"(:(?=//)|(?i:www)(?=\.)|@(?=[-\w]+\.))")  # an e-mail domain has a dot
WORD_JOINER = "\u2060"


def _printable(text: object) -> str:
    """One line, printable characters only (lone surrogates or controls break the page)."""
    line = " ".join(str(text).split())
    return "".join(c if c.isprintable() else "\ufffd" for c in line)


def plain(text: object) -> str:
    """Text from a user or a link, to show inside Markdown exactly as typed, on one line."""
    return _MARKUP.sub(r"\\\1", _AUTOLINK.sub(r"\1" + WORD_JOINER, _printable(text)))


def plain_lines(text: object) -> str:
    """Like :func:`plain`, keeping the line breaks of a multi-line message."""
    return "\n\n".join(plain(line) for line in str(text).splitlines() if line.strip())


def plain_values(values: dict[str, object]) -> dict[str, object]:
    """Values for a translated message: text escaped (file names, paths), numbers kept."""
    return {k: plain(v) if isinstance(v, str) else v for k, v in values.items()}


def chart_text(text: object) -> str:
    """Text from a user for a plotly chart (titles, legends): HTML-escaped, one line."""
    return html.escape(_printable(text))
