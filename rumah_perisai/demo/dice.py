"""Quick random draws and weighted choices: the demo makes millions of them."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Dice(random.Random):
    """``random.Random`` with quicker draws: one ``random()`` each, where ``randrange`` and
    ``choice`` make several calls (it adds up over millions of draws)."""

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def one_of(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]


class Weighted(Generic[T]):
    """A weighted choice that costs one ``random()`` and a bisect (``choices`` builds lists)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]
        self.last = len(self.values) - 1

    def pick(self, rng: Dice) -> T:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.values[index if index < self.last else self.last]
