"""Live per-chain progress lines on a terminal, redrawn in place."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO

BAR_WIDTH = 24


@dataclass
class ChainStatus:
    """What the display knows of one chain."""

    total: int
    done: int = 0
    tuning: bool = True
    divergences: int = 0
    step_size: float | None = None
    draws_per_second: float = 0.0


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


class ProgressDisplay:
    """One line per chain: a bar, draws done/total, draws per second, divergences, step size.

    Draws nothing unless ``enabled`` and ``stream`` is a terminal. Redraws at most
    every ``min_interval`` seconds by moving the cursor back up over its own lines.
    ``label`` names a line ("chain 3"); ``show_rate`` False leaves out the draws per
    second, for lines that count whole tasks (``map_sample``'s, one per model).
    """

    def __init__(
        self,
        chains: int,
        total: int,
        stream: TextIO | None = None,
        enabled: bool = True,
        min_interval: float = 0.1,
        label: str = "chain",
        show_rate: bool = True,
    ):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and is_terminal(self.stream)
        self.statuses = [ChainStatus(total=total) for _ in range(chains)]
        self.min_interval = min_interval
        self.label = label
        self.show_rate = show_rate
        self._lines_drawn = 0
        self._last_draw = -float("inf")

    def update(
        self,
        chain: int,
        done: int,
        tuning: bool,
        divergences: int,
        step_size: float | None,
        draws_per_second: float,
    ) -> None:
        """Record a chain's progress; redraw when enough time has passed."""
        status = self.statuses[chain]
        status.done = done
        status.tuning = tuning
        status.divergences = divergences
        status.step_size = step_size
        status.draws_per_second = draws_per_second
        if self.enabled and time.monotonic() - self._last_draw >= self.min_interval:
            self.draw()

    def format_line(self, chain: int) -> str:
        status = self.statuses[chain]
        fraction = status.done / status.total if status.total else 1.0
        filled = round(fraction * BAR_WIDTH)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        phase = "tuning" if status.tuning and status.done < status.total else "sampling"
        if status.done >= status.total:
            phase = "done"
        parts = [f"{self.label} {chain} {bar} {status.done}/{status.total}", phase]
        if self.show_rate:
            parts.append(f"{status.draws_per_second:,.0f} draws/s")
        if status.divergences:
            parts.append(f"{status.divergences} divergences")
        if status.step_size is not None:
            parts.append(f"step size {status.step_size:.3g}")
        return "  ".join(parts)

    def draw(self) -> None:
        """Rewrite every chain's line in place."""
        if not self.enabled:
            return
        text = []
        if self._lines_drawn:
            text.append(f"\x1b[{self._lines_drawn}F")  # back to the first of our lines
        for chain in range(len(self.statuses)):
            text.append("\x1b[2K" + self.format_line(chain) + "\n")  # clear, then write
        self.stream.write("".join(text))
        self.stream.flush()
        self._lines_drawn = len(self.statuses)
        self._last_draw = time.monotonic()

    def close(self) -> None:
        """Draw the final state once more."""
        if self.enabled:
            self.draw()
