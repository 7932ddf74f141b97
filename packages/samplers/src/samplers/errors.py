"""Errors of the runner."""

from __future__ import annotations

import traceback
from dataclasses import dataclass


class SamplingError(RuntimeError):
    """A chain failed; the message names the chain and the original error."""


class ChainWorkerError(Exception):
    """The traceback text of an error raised in a worker process, chained to a SamplingError."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return "\n\n" + self.text


@dataclass(frozen=True)
class TaskFailure:
    """An error a task's own code raised, sent back as text rather than raised: the
    parent tells it from a lost task (whose future raises) and names the chain or item."""

    error_type: str
    message: str
    traceback: str

    @classmethod
    def of(cls, error: BaseException) -> TaskFailure:
        return cls(type(error).__name__, str(error), traceback.format_exc())

    def raised_as(self, what: str) -> SamplingError:
        """The SamplingError ``"<what>: <type>: <message>"``, the worker's traceback as
        its cause."""
        error = SamplingError(f"{what}: {self.error_type}: {self.message}")
        error.__cause__ = ChainWorkerError(self.traceback)
        return error
