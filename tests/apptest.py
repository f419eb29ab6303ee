"""Opening a page in AppTest the way a share link does, and reading what it shows."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_page(script: str, *, timeout: float = 60, **params: str) -> AppTest:
    """Run ``script`` (relative to the repo) with ``params`` in its URL, as a link opens it."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=timeout)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def html(at: AppTest) -> str:
    """The bodies of st.html elements (the headline figures)."""
    return "\n".join(h.proto.body for h in at.get("html"))


def sources(at: AppTest) -> list[str]:
    """The Markdown source of titles, text, captions and alert boxes, as sent to the browser."""
    parts = [m.value for m in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption)]
    parts += [str(e.value) for e in (*at.success, *at.warning, *at.error, *at.info)]
    return parts


def messages(at: AppTest) -> str:
    """Markdown, captions and alert boxes, one per line, as read (backslash escapes removed)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(e.value) for e in (*at.success, *at.warning, *at.error, *at.info)]
    return as_read("\n".join(parts))


def as_read(markdown: str) -> str:
    """Markdown source as a reader sees it: the escapes and word joiners of user text removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def check_column(at: AppTest) -> list[str]:
    """The builder's check column (the read-only table beside its grid), row by row."""
    [table] = [d.value for d in at.dataframe if "check" in d.value.columns]
    return list(table["check"])
