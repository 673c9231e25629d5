"""config.toml + environment -> a frozen Settings dataclass."""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index import (
    BACKENDS,
    DEFAULT_MODEL,
    AnswerPolicy,
    EngineSettings,
    FeedSettings,
    FollowSettings,
    StoreSettings,
    WebSettings,
    hashing_dimension,
    store_url_problem,
)

TOKEN_VARIABLE = "NEWSBOT_DISCORD_TOKEN"
STORE_URL_VARIABLE = "NEWSBOT_STORE_URL"


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file and the setting."""


@dataclass(frozen=True)
class EmbeddingSettings:
    """Which sentence-transformers model embeds the text, and how (ranges as in index/settings.py)."""

    model: str = DEFAULT_MODEL  # "hashing-<n>" takes n from 1 to MAX_HASHING_DIMENSION
    backend: str = field(default="auto", metadata={"choices": BACKENDS})
    onnx_cache: str = ""  # empty: $XDG_CACHE_HOME/newsbot/onnx
    batch_size: int = field(default=64, metadata={"min": 1, "max": 4096})
    device: str = "cpu"
    threads: int = field(default=0, metadata={"min": 0, "max": 1024})


@dataclass(frozen=True)
class DiscordSettings:
    """How the Discord bot behaves; the token is never here (NEWSBOT_DISCORD_TOKEN only)."""

    dev_guild_id: int = field(default=0, metadata={"min": 0})
    ask_channels: bool = False
    reply_in_thread: bool = True
    answer_dms: bool = True
    cooldown_questions: int = field(default=3, metadata={"min": 0, "max": 1000})  # 0: no limit
    cooldown_seconds: float = field(default=30.0, metadata={"min": 0, "max": 86_400})
    # Discord's REST API address; empty: Discord's own. Set it only for a rate-limit proxy in front of it.
    api_url: str = ""
    # Discord's gateway (websocket) address; empty: Discord's own. Only for a gateway proxy in front of it, as large
    # bots sharded over many processes use; discord.py goes there unless it asks Discord how many shards to run.
    gateway_url: str = ""
    connect_timeout_seconds: float = field(default=20.0, metadata={"above": 0, "max": 600})


@dataclass(frozen=True)
class Settings:
    """Everything the front ends need, read once at start."""

    data_dir: Path
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    config_path: Path | None = None


# The sections of config.toml, and the settings each fills; the engine's settings come from two of them.
_SECTIONS: dict[str, type] = {"embedding": EmbeddingSettings, "discord": DiscordSettings, "answer": AnswerPolicy,
                              "web": WebSettings, "feeds": FeedSettings, "follow": FollowSettings,
                              "store": StoreSettings}
_ENGINE_SECTIONS = {
    "ingest": {"chunk_sentences", "chunk_overlap", "batch_articles", "max_file_mb", "max_article_chars",
               "save_every_seconds", "passage_vectors"},
    "search": {"candidates", "passages", "dense_weight", "lexical_weight", "lexical_budget",
               "exact_up_to"},
}


def default_data_dir() -> Path:
    """Where the library lives when nothing says otherwise: the XDG data directory."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "newsbot"


def find_config(explicit: str | None) -> Path | None:
    """The config file to read: --config, then NEWSBOT_CONFIG, then ./config.toml, then the XDG config dir."""
    named = explicit or os.environ.get("NEWSBOT_CONFIG")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        return path
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for path in (Path("config.toml"), base / "newsbot" / "config.toml"):
        if path.is_file():
            return path
    return None


def _range_problem(value: int | float, limits: Mapping[str, Any]) -> str | None:
    """Why a number is outside a field's range ("min"/"max" inclusive, "above" exclusive), or None when it is in."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number (got {value})"
    low, high, above = limits.get("min"), limits.get("max"), limits.get("above")
    if above is not None and not value > above:
        return f"must be above {above} (got {value})"
    if low is not None and high is not None and not low <= value <= high:
        return f"must be from {low} to {high} (got {value})"
    if low is not None and value < low:
        return f"must be at least {low} (got {value})"
    if high is not None and value > high:
        return f"must be at most {high} (got {value})"
    return None


def _table(raw: dict[str, Any], section: str, where: str) -> dict[str, Any]:
    """One section of the file, which must be a single table of settings."""
    table = raw.get(section, {})
    if not isinstance(table, dict):
        kind = "a list of tables ([[...]])" if isinstance(table, list) else repr(table)
        raise ConfigError(f"{where}: [{section}] must be one table of settings ([{section}] then key = value lines), "
                          f"not {kind}")
    return table


def _values(cls: type, table: dict[str, Any], where: str, section: str) -> dict[str, Any]:
    """The settings of one section for dataclass `cls`, refusing unknown keys, wrong types and values out of range."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{where} [{section}]: unknown setting {key!r}")
        setting = fields[key]
        expected: type[Any] = type(setting.default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not expected:
            raise ConfigError(f"{where}: [{section}] {key} must be {expected.__name__}, not {value!r}")
        if expected in (int, float) and (problem := _range_problem(value, setting.metadata)):
            raise ConfigError(f"{where}: [{section}] {key} {problem}")
        if (choices := setting.metadata.get("choices")) and value not in choices:
            raise ConfigError(f"{where}: [{section}] {key} must be one of {', '.join(map(repr, choices))}, "
                              f"not {value!r}")
        values[key] = value
    return values


def _embedding(table: dict[str, Any], where: str) -> EmbeddingSettings:
    """The [embedding] section, with a hashing model's dimension in its range."""
    settings = EmbeddingSettings(**_values(EmbeddingSettings, table, where, "embedding"))
    try:
        hashing_dimension(settings.model)
    except ValueError as error:
        raise ConfigError(f'{where}: [embedding] model "{settings.model}": {error}') from None
    return settings


def _engine(raw: dict[str, Any], where: str) -> EngineSettings:
    """The engine's settings from [ingest], [search], [answer], [web], [feeds] and [follow]."""
    values: dict[str, Any] = {}
    for section, keys in _ENGINE_SECTIONS.items():
        table = _table(raw, section, where)
        if stray := sorted(set(table) - keys):
            raise ConfigError(f"{where} [{section}]: unknown setting {stray[0]!r}")
        values.update(_values(EngineSettings, table, where, section))
    engine = EngineSettings(**values, policy=_section(raw, "answer", where), web=_section(raw, "web", where),
                            feeds=_section(raw, "feeds", where), follow=_section(raw, "follow", where),
                            store=_store(raw, where))
    if engine.chunk_overlap >= engine.chunk_sentences:
        raise ConfigError(f"{where}: [ingest] chunk_overlap must be less than chunk_sentences "
                          f"(got {engine.chunk_overlap}, chunk_sentences {engine.chunk_sentences})")
    return engine


def _section(raw: dict[str, Any], section: str, where: str) -> Any:
    """The dataclass of one plain section of the file."""
    cls = _SECTIONS[section]
    return cls(**_values(cls, _table(raw, section, where), where, section))


def _store(raw: dict[str, Any], where: str) -> StoreSettings:
    """[store], its url replaced by NEWSBOT_STORE_URL when that is set (a password stays out of the file)."""
    store: StoreSettings = _section(raw, "store", where)
    source = f"{where}: [store] url"
    if url := os.environ.get(STORE_URL_VARIABLE, "").strip():
        store, source = dataclasses.replace(store, url=url), STORE_URL_VARIABLE
    if problem := store_url_problem(store.url):
        raise ConfigError(f"{source}: {problem.removeprefix('[store] url ')}")
    return store


def _data_dir(raw: dict[str, Any], flag: str | None, where: str) -> Path:
    """The library directory: --data-dir, then NEWSBOT_DATA_DIR, then the file's data_dir, then the default."""
    for value, source in ((flag, "--data-dir"), (os.environ.get("NEWSBOT_DATA_DIR"), "NEWSBOT_DATA_DIR"),
                          (raw.get("data_dir"), f"{where}: data_dir")):
        if value is None or (value == "" and source == "NEWSBOT_DATA_DIR"):  # an empty variable counts as unset
            continue
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ConfigError(f"{source} must be the path of a folder, not {value!r}")
        return Path(value).expanduser()
    return default_data_dir()


def load_settings(config: str | None = None, data_dir: str | None = None) -> Settings:
    """Read the settings: defaults < config file < environment < command line."""
    path = find_config(config)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from error
        except OSError as error:
            raise ConfigError(f"{path}: cannot read the config file ({error.strerror})") from error
    where = str(path)
    known = {"data_dir", *_SECTIONS, *_ENGINE_SECTIONS}
    if unknown := sorted(set(raw) - known):
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r}")
    return Settings(data_dir=_data_dir(raw, data_dir, where), embedding=_embedding(_table(raw, "embedding", where),
                    where), engine=_engine(raw, where), discord=_section(raw, "discord", where), config_path=path)
