"""newsbot's engine: ingest, split, embed, store, search, answer. Knows nothing of Discord.

This is the engine's public API: the front ends in bot/ import only from here (tests/test_architecture.py checks).
"""

from index.answers.reader import ReaderError
from index.answers.reading import Ranking
from index.answers.selection import QuestionError
from index.embedder import BACKENDS, DEFAULT_MODEL, Embedder, EmbedderError, hashing_dimension, load_embedder
from index.errors import EngineError, LibraryError
from index.feeds.polling import FeedFollowError, FeedLimit
from index.follows.follower import FollowError
from index.follows.records import Alert, Follow, Shards
from index.ingest.periods import read_period
from index.library import Library
from index.models import (
    AlsoReported,
    Answer,
    Article,
    ArticleDetail,
    ArticleInfo,
    Citation,
    Feed,
    IngestProgress,
    IngestReport,
    PollReport,
    Quote,
    Stats,
    Summary,
    SummaryEntry,
    Usage,
)
from index.settings import AnswerPolicy, EngineSettings, FeedSettings, FollowSettings, StoreSettings, WebSettings
from index.store.backends import store_url_problem
from index.store.copy import CopyProgress, CopyReport, TableCopy, copy_library
from index.store.errors import StoreError
from index.store.sidecopy import copy_side_database
from index.store.sidedb import SideDatabase, open_side_database
from index.summaries.choosing import MAX_LENGTH, SummaryError, UnknownArticle
from index.summaries.digester import DEFAULT_LENGTH, TIMELINE_LENGTH
from index.web.fetching import WEB_SCHEMES, url_scheme, web_url

__all__ = [
    "BACKENDS", "DEFAULT_LENGTH", "DEFAULT_MODEL", "MAX_LENGTH", "TIMELINE_LENGTH", "WEB_SCHEMES", "Alert",
    "AlsoReported", "Answer", "AnswerPolicy", "Article", "ArticleDetail", "ArticleInfo", "Citation", "CopyProgress",
    "CopyReport", "Embedder", "EmbedderError", "EngineError", "EngineSettings", "Feed", "FeedFollowError", "FeedLimit",
    "FeedSettings", "Follow", "FollowError", "FollowSettings", "IngestProgress", "IngestReport", "Library",
    "LibraryError", "PollReport", "QuestionError", "Quote", "Ranking", "ReaderError", "Shards", "SideDatabase",
    "Stats", "StoreError", "StoreSettings", "Summary", "SummaryEntry", "SummaryError", "TableCopy", "UnknownArticle",
    "Usage", "WebSettings", "copy_library", "copy_side_database", "hashing_dimension", "load_embedder",
    "open_side_database", "read_period", "store_url_problem", "url_scheme", "web_url",
]
