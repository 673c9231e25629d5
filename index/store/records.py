"""What the store hands back above its edge, beside the engine's shared dataclasses (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class StoredSentence:
    """A stored sentence with its place in its article and its embedding."""

    id: int
    article_id: str
    position: int
    paragraph: int
    text: str
    embedding: np.ndarray
    published: date | None = None
