"""The pair reader on ONNX Runtime: reads (question, sentence with its context) pairs, gives each a log-odds.

The shipped reader lives in index/answers/model (trained by benchmarks/train_reader.py); any folder with the same
three files works. Nothing here imports torch: the reader loads in well under a second, on first use.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.errors import EngineError
from index.onnxencoder import length_batches, model_inputs

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

SHIPPED = Path(__file__).resolve().parent / "model"
MANIFEST = "reader.json"
MODEL_FILE = "reader.onnx"
TOKENIZER_FILE = "tokenizer.json"
PAIRS_PER_RUN = 8


class Reader(Protocol):
    """What reads question-passage pairs: the ONNX reader, or a test's stand-in."""

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The log-odds that each passage's first sentence answers the question."""


class ReaderError(EngineError):
    """The configured reader folder cannot be loaded."""


@dataclass(frozen=True)
class ReaderManifest:
    """What a reader folder holds and how its model reads."""

    model_file: str
    max_tokens: int
    inputs: tuple[str, ...]
    pad_id: int

    def dump(self, path: Path) -> None:
        """Write the manifest."""
        path.write_text(json.dumps({**self.__dict__, "inputs": list(self.inputs)}) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> ReaderManifest:
        """The manifest at `path`; ReaderError when it is missing or malformed."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(model_file=str(raw["model_file"]), max_tokens=int(raw["max_tokens"]),
                       inputs=tuple(str(name) for name in raw["inputs"]), pad_id=int(raw["pad_id"]))
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise ReaderError(f"{path} is not a reader manifest: {error}") from error


def open_reader(setting: str) -> PairReader | None:
    """The reader a setting names ("shipped", "none", or a folder), checked now and loaded on first use."""
    if setting == "none":
        return None
    folder = SHIPPED if setting == "shipped" else Path(setting).expanduser()
    # A wrong folder is one clear line at start, not an error at the first question.
    if not (folder / MANIFEST).is_file():
        raise ReaderError(f'answer.reader "{setting}": {folder} holds no reader ({MANIFEST} not found); set it to '
                          '"shipped", "none" or a folder made by benchmarks/train_reader.py')
    ReaderManifest.read(folder / MANIFEST)
    return _shared_reader(folder.resolve())


@functools.cache
def _shared_reader(folder: Path) -> PairReader:
    """One reader per folder per process: every library a process opens shares its loaded model and its lock."""
    return PairReader(folder)


class PairReader:
    """Scores question-passage pairs with the reader in `folder`, loaded on first use."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._loaded: tuple[onnxruntime.InferenceSession, Tokenizer, ReaderManifest] | None = None
        # One lock: a shared fast tokenizer can raise "Already borrowed" when two threads use it at once.
        self._lock = threading.Lock()

    def read(self, question: str, passages: Sequence[str]) -> np.ndarray:
        """The reader's log-odds that each passage's first sentence answers the question."""
        logits = np.zeros(len(passages), dtype=np.float32)
        if not passages:
            return logits
        with self._lock:
            session, tokenizer, manifest = self._ensure_loaded()
            encodings = tokenizer.encode_batch([(question, passage) for passage in passages])
            # Pairs of like length run together: one batch padded to its longest pair costs twice the work.
            for batch in length_batches([len(e.ids) for e in encodings], PAIRS_PER_RUN, PAIRS_PER_RUN * 64):
                feed = model_inputs([encodings[i] for i in batch], manifest.inputs, manifest.pad_id)
                (out,) = session.run(["logits"], feed)
                logits[batch] = np.asarray(out, dtype=np.float32).reshape(len(batch))
        return logits

    def _ensure_loaded(self) -> tuple[onnxruntime.InferenceSession, Tokenizer, ReaderManifest]:
        """Load the session and tokenizer once. The caller holds the lock."""
        if self._loaded is None:
            self._loaded = load_reader(self._folder)
        return self._loaded


def load_reader(folder: Path) -> tuple[onnxruntime.InferenceSession, Tokenizer, ReaderManifest]:
    """A reader folder's ONNX Runtime session, its tokenizer (cutting the passage, never the question) and manifest."""
    import onnxruntime
    from tokenizers import Tokenizer

    manifest = ReaderManifest.read(folder / MANIFEST)
    try:
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 0  # ONNX Runtime's default: every core, as the embedder's default
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(folder / manifest.model_file), options,
                                               providers=["CPUExecutionProvider"])
    except Exception as error:  # ONNX Runtime and tokenizers raise their own kinds for a bad file
        raise ReaderError(f"cannot load the reader in {folder}: {str(error).splitlines()[0]}") from error
    tokenizer.enable_truncation(manifest.max_tokens, strategy="only_second")
    tokenizer.no_padding()
    return session, tokenizer, manifest
