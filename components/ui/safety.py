"""The page boundary: an unexpected exception shows a short message with an id, never a traceback.

Every page runs through :func:`run_guarded` (app.py); a fragment, which reruns on its
own, is wrapped with :func:`guarded`. The full traceback goes to the server log
under the same id, so a student can quote the id and the operator can find it.
Streamlit's control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises
``BaseException`` subclasses, which pass through untouched.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from components.ui.i18n import t

logger = logging.getLogger("vgg_explorer")
P = ParamSpec("P")


def run_guarded(body: Callable[[], object]) -> None:
    """Run a page (or part of one); an unexpected error is logged and shown as one short line."""
    try:
        body()
    except Exception:  # Streamlit's StopException/RerunException are BaseException: not caught
        error_id = uuid.uuid4().hex[:8]
        logger.exception("unexpected error %s while running a page", error_id)
        st.error(t("hostile.crash", id=error_id), icon=":material/error:")


def guarded(func: Callable[P, object]) -> Callable[P, None]:
    """:func:`run_guarded` as a decorator, for fragments (they rerun without the page)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        run_guarded(lambda: func(*args, **kwargs))

    return wrapper
