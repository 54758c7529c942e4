"""Progress and problem lines on stderr for long runs.

On a terminal a tqdm bar (with a total whenever the size is known); elsewhere (a log file, a
pipe, a batch job) plain lines every few seconds, "120/840 articles, 2.1/s", since a bar there
prints nothing useful. Problem lines go through the bar so they never tear it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from stance.io import printable


class Progress:
    """Counts processed records; use as a context manager and call ``update``."""

    def __init__(
        self,
        total: int | None = None,
        unit: str = "articles",
        quiet: bool = False,
        every: float = 10.0,
        stream: TextIO | None = None,
    ) -> None:
        self.total, self.unit, self.quiet, self.every = total, unit, quiet, every
        self.stream = stream or sys.stderr
        self.done = 0
        self._start = self._last = time.monotonic()
        self._bar = None
        if not quiet and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=f" {unit}", file=self.stream, dynamic_ncols=True)

    def set_total(self, total: int | None) -> None:
        """The total, once it is known (counting the inputs can come after the bar starts)."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if not self.quiet and now - self._last >= self.every:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def line(self) -> str:
        """"120/840 articles, 2.1/s" (no total when it is not known)."""
        rate = self.done / max(time.monotonic() - self._start, 1e-9)
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        return f"{count} {self.unit}, {rate:.1f}/s"

    def write(self, message: str) -> None:
        """A line for the user (a problem, a summary), printed above the bar if there is one."""
        message = printable(message)
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
