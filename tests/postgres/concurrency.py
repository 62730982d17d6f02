"""Threads that hit PostgreSQL at the same moment, each on its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

THREADS = 8


def all_at_once(work: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """Run work(i) in n threads released together; return each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # recorded and checked by the test
            results[i] = error
        finally:
            connection.close()  # each thread's own connection; the test DB must be droppable

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
