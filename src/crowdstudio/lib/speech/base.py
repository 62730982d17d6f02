"""The speech engine interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


class SpeechError(RuntimeError):
    """The engine is missing, refused the text or the voice, or failed."""


@dataclass(frozen=True)
class Voice:
    id: str  # stable: stored in castings
    label: str  # shown in the casting selects
    gender: str = ""  # "male" | "female" | "" when unknown


class SpeechEngine(ABC):
    name: str = ""

    @abstractmethod
    def voices(self) -> list[Voice]:
        """Every voice this engine offers, the most distinct ones first (castings hand them out
        in this order)."""

    @abstractmethod
    def synthesize(
        self, text: str, voice: Voice | str, *, rate: float = 1.0
    ) -> tuple[NDArray[np.float32], int]:
        """Speak `text` with `voice` at `rate` (1.0 = the engine's natural pace).

        Returns mono float32 samples in [-1, 1] and their sample rate.
        """

    def voice(self, voice_id: str) -> Voice:
        """The voice with that id; SpeechError when the engine has none."""
        for candidate in self.voices():
            if candidate.id == voice_id:
                return candidate
        raise SpeechError(f"unknown voice {voice_id!r} for engine {self.name!r}")
