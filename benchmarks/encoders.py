"""Embedding speed and fidelity: SentenceTransformer.encode on torch against the ONNX Runtime embedder, fp32 and int8.

Usage: python benchmarks/encoders.py [--sentences N] [--model NAME_OR_PATH]

The sentences are BBC News sentences read from ../shared/data at run time and never copied into the project.
Each row embeds the same sentences (batch 64, every core); cosine is to the torch vectors, sentence by sentence.
"Cold load" is a fresh process importing what the backend needs and loading the model (the export already made).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tables import print_rows

from index import DEFAULT_MODEL
from index.embedder import resolve_model_path
from index.onnxencoder import OnnxEmbedder
from index.onnxexport import export

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_COLD_TORCH = "from sentence_transformers import SentenceTransformer; SentenceTransformer({path!r}, device='cpu')"
_COLD_ONNX = "from pathlib import Path; from index.onnxencoder import load_export; load_export(Path({path!r}), None)"


def bbc_sentences(count: int) -> list[str]:
    """The first `count` distinct sentences of the BBC articles, in corpus order."""
    seen: dict[str, None] = {}
    with open(DATA / "bbc_news" / "summary_sentence_labels.jsonl", encoding="utf-8") as lines:
        for line in lines:
            seen.update(dict.fromkeys(json.loads(line)["sentences"]))
            if len(seen) >= count:
                break
    return list(seen)[:count]


def uptime() -> str:
    """The machine's load, as `uptime` reports it."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def cold_load(code: str) -> float:
    """Seconds a fresh Python process takes to run `code`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def timed(embed, sentences: list[str]) -> tuple[np.ndarray, float]:
    """The vectors and sentences/s, after one warm-up call."""
    embed(sentences[:8])
    start = time.perf_counter()
    vectors = embed(sentences)
    return vectors, len(sentences) / (time.perf_counter() - start)


def row(name: str, speed: float, vectors: np.ndarray, reference: np.ndarray, load: float,
        export_s: str) -> dict[str, str]:
    """One line of the table."""
    cosines = (vectors * reference).sum(axis=1)
    return {"encoder": name, "sentences/s": f"{speed:.0f}", "mean cosine to torch": f"{cosines.mean():.4f}",
            "min cosine": f"{cosines.min():.4f}", "cold load s": f"{load:.1f}", "export s": export_s}


def main() -> None:
    """Measure each encoder on the same sentences and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    sentences = bbc_sentences(args.sentences)
    model_dir = Path(resolve_model_path(args.model))
    print(f"{len(sentences):,} BBC sentences, model {args.model}; load before: {uptime()}\n")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    reference, speed = timed(lambda texts: model.encode(texts, batch_size=64, normalize_embeddings=True,
                                                        convert_to_numpy=True), sentences)
    rows = [row("SentenceTransformer.encode, torch fp32", speed, reference, reference,
                cold_load(_COLD_TORCH.format(path=str(model_dir))), "-")]
    with tempfile.TemporaryDirectory() as scratch:
        for name, quantize in (("ONNX Runtime fp32", False), ("ONNX Runtime int8 (dynamic)", True)):
            folder = Path(scratch) / name.split()[-1]
            folder.mkdir()
            start = time.perf_counter()
            export(model_dir, folder, quantize)
            export_s = f"{time.perf_counter() - start:.1f}"
            embedder = OnnxEmbedder(args.model, 64, None, lambda folder=folder: folder)
            vectors, speed = timed(embedder.embed, sentences)
            rows.append(row(name, speed, vectors, reference, cold_load(_COLD_ONNX.format(path=str(folder))),
                            export_s))
    print_rows(rows)
    print(f"\nload after: {uptime()}")


if __name__ == "__main__":
    main()
