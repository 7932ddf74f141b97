"""Errors of the runner."""

from __future__ import annotations


class SamplingError(RuntimeError):
    """A chain failed; the message names the chain and the original error."""


class ChainWorkerError(Exception):
    """The traceback text of an error raised in a worker process, chained to a SamplingError."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return "\n\n" + self.text
