"""Tests of reading config.toml and the environment into Settings."""

import dataclasses
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("NEWSBOT_CONFIG", "NEWSBOT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_without_a_config_file(tmp_path):
    settings = load_settings()
    assert settings.config_path is None
    assert settings.data_dir == tmp_path / "xdg-data" / "newsbot"
    assert settings.embedding.model == "all-MiniLM-L6-v2"
    assert settings.engine.chunk_sentences == 5 and settings.engine.policy.max_sentences == 3


def test_the_example_config_is_complete_and_equal_to_the_defaults():
    settings = load_settings(str(ROOT / "config.example.toml"))
    defaults = load_settings()
    assert (settings.embedding, settings.engine, settings.discord) == (
        defaults.embedding, defaults.engine, defaults.discord)


def test_every_setting_is_documented_in_the_example():
    text = (ROOT / "config.example.toml").read_text()
    settings = load_settings()
    engine = settings.engine
    for group in (settings.embedding, engine, engine.policy, engine.web, engine.feeds, settings.discord):
        for field in dataclasses.fields(group):
            if field.name not in {"policy", "web", "feeds"}:
                assert f"\n{field.name} =" in text, field.name


def test_values_from_the_file_environment_and_command_line(tmp_path, monkeypatch):
    path = write(tmp_path, 'data_dir = "from-file"\n[answer]\nmax_sentences = 2\n[search]\npassages = 4\n')
    settings = load_settings(path)
    assert settings.data_dir == Path("from-file") and settings.engine.policy.max_sentences == 2
    assert settings.engine.passages == 4
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "from-env")
    assert load_settings(path).data_dir == Path("from-env")
    assert load_settings(path, "from-flag").data_dir == Path("from-flag")


def test_config_found_through_the_environment_and_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "config.toml").write_text("[answer]\nmax_sentences = 1\n")
    assert load_settings().engine.policy.max_sentences == 1
    monkeypatch.setenv("NEWSBOT_CONFIG", write(tmp_path, "[answer]\nmax_sentences = 2\n"))
    assert load_settings().engine.policy.max_sentences == 2


def test_integers_are_accepted_for_decimal_settings(tmp_path):
    assert load_settings(write(tmp_path, "[answer]\nmin_similarity = 1\n")).engine.policy.min_similarity == 1.0


@pytest.mark.parametrize("text, message", [
    ("[answer]\nmax_sentence = 2\n", "unknown setting 'max_sentence'"),
    ("[search]\nchunk_sentences = 2\n", "unknown setting 'chunk_sentences'"),
    ("[searches]\n", "unknown setting 'searches'"),
    ('[answer]\nmax_sentences = "two"\n', "max_sentences must be int"),
    ("[ingest]\nchunk_overlap = 5\n", "chunk_overlap must be"),
    ("[answer\n", "not valid TOML"),
])
def test_bad_settings_name_the_file_and_the_setting(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(write(tmp_path, text))
    assert "custom.toml" in str(error.value)


def test_a_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(str(tmp_path / "absent.toml"))
