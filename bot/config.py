"""config.toml + environment -> a frozen Settings dataclass."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index import AnswerPolicy, EngineSettings
from index.embedder import DEFAULT_MODEL
from index.settings import FeedSettings, WebSettings

TOKEN_VARIABLE = "NEWSBOT_DISCORD_TOKEN"


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file and the setting."""


@dataclass(frozen=True)
class EmbeddingSettings:
    """Which sentence-transformers model embeds the text, and how."""

    model: str = DEFAULT_MODEL
    batch_size: int = 64
    device: str = "cpu"
    threads: int = 0


@dataclass(frozen=True)
class DiscordSettings:
    """How the Discord bot behaves; the token is never here (NEWSBOT_DISCORD_TOKEN only)."""

    dev_guild_id: int = 0
    ask_channels: bool = False
    reply_in_thread: bool = True
    answer_dms: bool = True
    cooldown_questions: int = 3
    cooldown_seconds: float = 30.0
    # Discord's REST API address; empty: Discord's own. Set it only for a rate-limit proxy in front of it.
    api_url: str = ""
    connect_timeout_seconds: float = 20.0


@dataclass(frozen=True)
class Settings:
    """Everything the front ends need, read once at start."""

    data_dir: Path
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    config_path: Path | None = None


# The engine's settings come from two sections of config.toml.
_ENGINE_SECTIONS = {
    "ingest": {"chunk_sentences", "chunk_overlap", "batch_articles", "max_file_mb", "save_every_seconds"},
    "search": {"candidates", "passages", "dense_weight", "lexical_weight"},
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


def _fill(cls: type, table: dict[str, Any], where: str, **extra: Any) -> Any:
    """Build dataclass `cls` from a TOML table, refusing unknown keys and values of the wrong type."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = dict(extra)
    defaults = cls(**extra)
    for key, value in table.items():
        if key not in fields or key in extra:
            raise ConfigError(f"{where}: unknown setting {key!r}")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not expected:
            raise ConfigError(f"{where}: {key} must be {expected.__name__}, not {value!r}")
        values[key] = value
    return cls(**values)


def load_settings(config: str | None = None, data_dir: str | None = None) -> Settings:
    """Read the settings: defaults < config file < environment < command line."""
    path = find_config(config)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from error
    where = str(path)
    known = {"data_dir", "embedding", "ingest", "search", "answer", "discord", "web", "feeds"}
    if unknown := sorted(set(raw) - known):
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r}")
    embedding = _fill(EmbeddingSettings, raw.get("embedding", {}), f"{where} [embedding]")
    discord = _fill(DiscordSettings, raw.get("discord", {}), f"{where} [discord]")
    policy = _fill(AnswerPolicy, raw.get("answer", {}), f"{where} [answer]")
    web = _fill(WebSettings, raw.get("web", {}), f"{where} [web]")
    feeds = _fill(FeedSettings, raw.get("feeds", {}), f"{where} [feeds]")
    engine_table: dict[str, Any] = {}
    for section, keys in _ENGINE_SECTIONS.items():
        table = raw.get(section, {})
        if stray := sorted(set(table) - keys):
            raise ConfigError(f"{where} [{section}]: unknown setting {stray[0]!r}")
        engine_table.update(table)
    engine = _fill(EngineSettings, engine_table, f"{where} [ingest]/[search]", policy=policy, web=web, feeds=feeds)
    if not 0 <= engine.chunk_overlap < engine.chunk_sentences:
        raise ConfigError(f"{where} [ingest]: chunk_overlap must be at least 0 and less than chunk_sentences")
    chosen = data_dir or os.environ.get("NEWSBOT_DATA_DIR") or raw.get("data_dir")
    directory = Path(chosen).expanduser() if chosen else default_data_dir()
    return Settings(data_dir=directory, embedding=embedding, engine=engine, discord=discord, config_path=path)
