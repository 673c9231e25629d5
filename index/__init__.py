"""newsbot's engine: ingest, split, embed, store, search, answer. Knows nothing of Discord."""

from index.answer import AnswerPolicy, QuestionError
from index.embedder import Embedder, EmbedderError, load_embedder
from index.models import Answer, Article, ArticleInfo, Citation, IngestReport, Quote, Stats
from index.service import EngineSettings, Library, LibraryError
from index.store import StoreError

__all__ = [
    "Answer", "AnswerPolicy", "Article", "ArticleInfo", "Citation", "Embedder", "EmbedderError",
    "EngineSettings", "IngestReport", "Library", "LibraryError", "QuestionError", "Quote", "Stats",
    "StoreError", "load_embedder",
]
