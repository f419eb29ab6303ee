"""The app's pages and their public, stable URL paths (share links depend on them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageEntry:
    script: str
    title_key: str
    url_path: str
    icon: str


PAGES = (
    PageEntry("pages/architecture.py", "nav.architecture", "", ":material/account_tree:"),
    PageEntry("pages/custom.py", "nav.custom", "custom", ":material/construction:"),
    PageEntry("pages/activations.py", "nav.activations", "activations", ":material/image:"),
    PageEntry("pages/compare.py", "nav.compare", "compare", ":material/compare:"),
    PageEntry("pages/learn.py", "nav.learn", "learn", ":material/school:"),
)


def route_through_app() -> None:
    """Make a page script that Streamlit ran directly go through app.py instead.

    Until app.py has called ``st.navigation`` once, a fresh server routes a share link
    (its first request, e.g. ``/activations?lang=zh``) through the legacy ``pages/``
    folder and runs the page script alone: no language switch, no top navigation.
    Turning the legacy routing off and rerunning lets app.py route the same URL.
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
