"""Tests read engine and Keras-side messages as the CLI prints them: the English rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from components.engine.errors import InputError, Issue
from components.ui.messages import english, render_issue

__all__ = ["english", "hint", "message", "raises_saying"]


def message(issue: Issue) -> str:
    """The issue's English sentence, without the layer prefix or the hint."""
    return render_issue(issue, where=False, hint=False)


def hint(issue: Issue) -> str:
    """The issue's English hint ('' when it has none)."""
    return render_issue(issue, where=False)[len(message(issue)) :].strip()


@contextmanager
def raises_saying(pattern: str) -> Iterator[pytest.ExceptionInfo[InputError]]:
    """``pytest.raises(InputError, match=...)`` on the English rendering of every issue."""
    with pytest.raises(InputError) as info:
        yield info
    text = english(info.value.shown())
    assert re.search(pattern, text), text
