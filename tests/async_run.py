"""Run a coroutine to the end from a synchronous test, whatever loop the thread has.

Playwright's sync API (the browser tests' session fixture) leaves an event loop running
in the main thread, where ``asyncio.run`` refuses to start; a worker thread has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
