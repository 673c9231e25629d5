"""newsbot's engine: ingest, split, embed, store, search, answer. Knows nothing of Discord."""

from index.answer import AnswerPolicy, QuestionError
from index.embedder import Embedder, EmbedderError, load_embedder
from index.faults import StoreError
from index.models import (
    AlsoReported,
    Answer,
    Article,
    ArticleDetail,
    ArticleInfo,
    Citation,
    IngestReport,
    Quote,
    Stats,
    Summary,
    SummaryEntry,
    Usage,
)
from index.service import Library, LibraryError
from index.settings import EngineSettings
from index.summarize import SummaryError

__all__ = [
    "AlsoReported", "Answer", "AnswerPolicy", "Article", "ArticleDetail", "ArticleInfo", "Citation", "Embedder",
    "EmbedderError", "EngineSettings", "IngestReport", "Library", "LibraryError", "QuestionError", "Quote", "Stats",
    "StoreError", "Summary", "SummaryEntry", "SummaryError", "Usage", "load_embedder",
]
