"""Vocabulary: symbols <-> ids, with an explicit unknown symbol for characters never seen."""

from __future__ import annotations

from collections.abc import Iterable

MAX_SYMBOLS = 1 << 16  # a vocabulary's size at most: what a checkpoint holds, checked before a run's first step


class VocabularyError(ValueError):
    """Text holds a character this vocabulary cannot represent."""


class Vocabulary:
    def __init__(self, symbols: Iterable[str], unknown: str | None = None):
        self.symbols: tuple[str, ...] = tuple(symbols)
        if len(set(self.symbols)) != len(self.symbols) or not self.symbols:
            raise ValueError("vocabulary symbols must be distinct and non-empty")
        self.unknown = unknown
        self._ids = {s: i for i, s in enumerate(self.symbols)}
        if unknown is not None and unknown not in self._ids:
            raise ValueError(f"unknown symbol {unknown!r} is not in the vocabulary")

    @classmethod
    def from_text(cls, text: str, unknown: str) -> Vocabulary:
        """Every character of `text`, sorted, plus `unknown` (first when absent from the text)."""
        symbols = sorted(set(text) - {unknown})
        return cls([unknown, *symbols], unknown=unknown)

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and (self.symbols, self.unknown) == (other.symbols, other.unknown)

    def encode(self, text: str) -> list[int]:
        if self.unknown is None:
            missing = sorted({ch for ch in text if ch not in self._ids})
            if missing:
                shown = ", ".join(repr(ch) for ch in missing[:5])
                raise VocabularyError(f"{shown} not in this model's vocabulary: {''.join(self.symbols)!r}")
            return [self._ids[ch] for ch in text]
        fallback = self._ids[self.unknown]
        return [self._ids.get(ch, fallback) for ch in text]

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.symbols[i] for i in ids)

    def to_dict(self) -> dict:
        return {"symbols": list(self.symbols), "unknown": self.unknown}

    @classmethod
    def from_dict(cls, data: dict) -> Vocabulary:
        return cls(data["symbols"], unknown=data.get("unknown"))
