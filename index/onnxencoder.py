"""The sentence-transformers pipeline on ONNX Runtime: tokenizer.json, the exported transformer, pooling, Normalize.

Nothing here imports torch, transformers or sentence_transformers: a cached export loads in well under a second.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedder import Embedder, EmbedderError, first_line

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MANIFEST = "newsbot-onnx.json"
TOKENIZER_FILE = "tokenizer.json"
POOLING_MODES = ("mean", "cls")
# Tokens of a long news sentence: a batch of batch_size texts is budgeted this many tokens a text.
TYPICAL_TOKENS = 64


@dataclass(frozen=True)
class Manifest:
    """What an export folder holds; written last, so a folder without it is a half-made export."""

    model_file: str
    pooling: str
    max_seq_length: int
    do_lower_case: bool
    dimension: int
    pad_id: int
    inputs: tuple[str, ...]

    def dump(self, folder: Path) -> None:
        """Write the manifest into an export folder."""
        (folder / MANIFEST).write_text(json.dumps({**self.__dict__, "inputs": list(self.inputs)}), encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest of a complete export folder, or None when it is missing, unreadable or names a missing file."""
        try:
            raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            manifest = cls(**{**raw, "inputs": tuple(raw["inputs"])})
        except (OSError, ValueError, TypeError, KeyError):
            return None
        complete = (folder / manifest.model_file).is_file() and (folder / TOKENIZER_FILE).is_file()
        return manifest if complete and manifest.pooling in POOLING_MODES else None


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """Token vectors (batch, tokens, dim) -> one unit vector per text, as the Pooling and Normalize modules do."""
    if mode == "cls":
        pooled = hidden[:, 0, :].astype(np.float32)
    elif mode == "mean":
        weights = mask[:, :, None].astype(np.float32)
        # The same floor as sentence-transformers, so an all-padding row divides by a tiny number, not zero.
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    else:
        raise ValueError(f"pooling {mode!r} is not supported (only {', '.join(POOLING_MODES)})")
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    # Normalize's floor: a zero vector stays zero instead of becoming NaN.
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def length_batches(lengths: Sequence[int], batch_size: int,
                   tokens: int | None = None) -> Iterator[np.ndarray]:
    """Indices of the texts in batches of similar length (longest first), so each batch pads little.

    A batch holds at most `batch_size` texts and `tokens` tokens (batch_size x TYPICAL_TOKENS by default): the
    memory a run takes grows with the square of its longest text, so long texts go in smaller batches.
    """
    budget = tokens if tokens is not None else batch_size * TYPICAL_TOKENS
    order = np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable")
    start = 0
    while start < len(order):
        rows = min(batch_size, max(1, budget // max(int(lengths[order[start]]), 1)))
        yield order[start:start + rows]
        start += rows


class OnnxEmbedder:
    """A sentence-transformers model run by ONNX Runtime, exported on first use and cached; loaded lazily."""

    def __init__(self, name: str, batch_size: int, threads: int | None,
                 prepare: Callable[[], Path], fallback: Callable[[Exception], Embedder] | None = None,
                 on_load: Callable[[str], None] | None = None) -> None:
        self._name = name
        self._batch_size = batch_size
        self._threads = threads
        # Returns the export folder, exporting once if needed (that part may import torch).
        self._prepare = prepare
        # "auto": an export that fails hands over to the torch embedder; "onnx": it is the user's error.
        self._fallback = fallback
        self._on_load = on_load
        self._loaded: tuple[onnxruntime.InferenceSession, Tokenizer, Manifest] | None = None
        self._delegate: Embedder | None = None
        # One lock for loading and running: a shared fast tokenizer can raise "Already borrowed" when two threads
        # use it at once (huggingface/tokenizers#537), and ONNX Runtime already spreads one run over the cores.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model name as configured: the same as the torch embedder's, so libraries keep working."""
        return self._name

    @property
    def dimension(self) -> int:
        """Length of each embedding vector; loads the model if needed."""
        with self._lock:
            loaded = self._ensure_loaded()
        return loaded[2].dimension if loaded is not None else self._delegated().dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit-length float32 embeddings, one row per text, in the order given."""
        with self._lock:
            loaded = self._ensure_loaded()
            if loaded is not None:
                return self._run(loaded, texts)
        return self._delegated().embed(texts)

    def _delegated(self) -> Embedder:
        """The torch embedder that took over after a failed export."""
        assert self._delegate is not None
        return self._delegate

    def _ensure_loaded(self) -> tuple[onnxruntime.InferenceSession, Tokenizer, Manifest] | None:
        """Load (exporting first if needed) once; None once the fallback has taken over. The caller holds the lock."""
        if self._loaded is None and self._delegate is None:
            if self._on_load is not None:
                self._on_load(self._name)
            try:
                self._loaded = load_export(self._prepare(), self._threads)
            except Exception as error:
                if self._fallback is None:
                    raise EmbedderError(f'cannot run embedding model "{self._name}" with ONNX Runtime: '
                                        f'{first_line(error)}; set embedding.backend = "torch"') from error
                self._delegate = self._fallback(error)
        return self._loaded

    def _run(self, loaded: tuple[onnxruntime.InferenceSession, Tokenizer, Manifest],
             texts: Sequence[str]) -> np.ndarray:
        """Embed texts batch by batch, shortest padding first, and put the rows back in the caller's order."""
        session, tokenizer, manifest = loaded
        out = np.zeros((len(texts), manifest.dimension), dtype=np.float32)
        if not texts:
            return out
        # sentence-transformers strips each text (and lowercases it when the model says so) before tokenizing.
        cleaned = [text.strip().lower() if manifest.do_lower_case else text.strip() for text in texts]
        encodings = tokenizer.encode_batch(cleaned)
        for batch in length_batches([len(e.ids) for e in encodings], self._batch_size):
            feed = model_inputs([encodings[i] for i in batch], manifest.inputs, manifest.pad_id)
            (hidden,) = session.run(["last_hidden_state"], feed)
            out[batch] = pool(hidden, feed["attention_mask"], manifest.pooling)
        return out


def model_inputs(encodings: Sequence[Any], inputs: Sequence[str], pad_id: int) -> dict[str, np.ndarray]:
    """A transformer's inputs for one batch of encoded texts (or pairs), padded to its longest."""
    width = max(len(e.ids) for e in encodings)
    columns = {"input_ids": ("ids", pad_id), "attention_mask": ("attention_mask", 0), "token_type_ids": ("type_ids", 0)}
    feed = {}
    for name in inputs:
        field, fill = columns[name]
        rows = np.full((len(encodings), width), fill, dtype=np.int64)
        for row, encoding in enumerate(encodings):
            values = getattr(encoding, field)
            rows[row, :len(values)] = values
        feed[name] = rows
    return feed


def load_export(folder: Path, threads: int | None) -> tuple[onnxruntime.InferenceSession, Tokenizer, Manifest]:
    """An export folder's ONNX Runtime session, tokenizer (truncating, never padding) and manifest."""
    import onnxruntime
    from tokenizers import Tokenizer

    manifest = Manifest.read(folder)
    if manifest is None:
        raise ValueError(f"{folder} is not a complete ONNX export")
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    tokenizer.enable_truncation(manifest.max_seq_length)
    # Padding is done per length-sorted batch in model_inputs: padded here, every text would be as long as the longest.
    tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    # 0 is ONNX Runtime's own default (every core), the same meaning as threads = 0 in the config.
    options.intra_op_num_threads = threads or 0
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(folder / manifest.model_file), options,
                                           providers=["CPUExecutionProvider"])
    return session, tokenizer, manifest
