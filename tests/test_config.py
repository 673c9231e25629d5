"""Tests of reading config.toml and the environment into Settings."""

import dataclasses
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.newsbot_process import one_error_line, run_newsbot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("NEWSBOT_CONFIG", "NEWSBOT_DATA_DIR", "NEWSBOT_STORE_URL"):
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
    for group in (settings.embedding, engine, engine.policy, engine.web, engine.feeds, engine.follow, engine.store,
                  settings.discord):
        for field in dataclasses.fields(group):
            if field.name not in {"policy", "web", "feeds", "follow", "store"}:
                assert f"\n{field.name} =" in text, field.name


@pytest.mark.parametrize("backend", ["auto", "onnx", "torch"])
def test_the_embedding_backend_and_onnx_cache_are_read(tmp_path, backend):
    settings = load_settings(write(tmp_path, f'[embedding]\nbackend = "{backend}"\nonnx_cache = "~/exports"\n'))
    assert (settings.embedding.backend, settings.embedding.onnx_cache) == (backend, "~/exports")
    assert load_settings().embedding.backend == "auto"


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
    ("[ingest]\nchunk_overlap = 5\n", r"\[ingest\] chunk_overlap must be less than chunk_sentences \(got 5,"),
    ("[answer\n", "not valid TOML"),
])
def test_bad_settings_name_the_file_and_the_setting(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(write(tmp_path, text))
    assert "custom.toml" in str(error.value)


def test_a_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(str(tmp_path / "absent.toml"))


@pytest.mark.parametrize("text, message", [
    ("embedding = 5\n", r"\[embedding\] must be one table of settings .* not 5"),
    ("[[embedding]]\nmodel = 'hashing'\n", r"\[embedding\] must be one table of settings .* not a list of tables"),
    ("data_dir = 5\n", "data_dir must be the path of a folder, not 5"),
    ('data_dir = "a\\u0000b"\n', "data_dir must be the path of a folder"),
    ("[search]\ncandidates = 0\n", r"\[search\] candidates must be from 1 to 10000 \(got 0\)$"),
    ("[search]\npassages = 0\n", r"\[search\] passages must be from 1 to 1000 \(got 0\)"),
    ('[embedding]\nmodel = "hashing-0"\n', r'\[embedding\] model "hashing-0": the hashing dimension must be from 1 to'),
    ('[embedding]\nmodel = "hashing-99999999999"\n', r'model "hashing-99999999999": the hashing dimension must be'),
    ("[ingest]\nbatch_articles = 0\n", r"\[ingest\] batch_articles must be from 1 to 10000 \(got 0\)"),
    ("[ingest]\nbatch_articles = -5\n", r"\[ingest\] batch_articles must be from 1 to 10000 \(got -5\)"),
    ("[ingest]\nmax_article_chars = 10\n", r"\[ingest\] max_article_chars must be from 1000 to"),
    ("[feeds]\nconcurrency = 0\n", r"\[feeds\] concurrency must be from 1 to 100 \(got 0\)"),
    ("[web]\ntimeout_seconds = -1\n", r"\[web\] timeout_seconds must be above 0 \(got -1.0\)"),
    ("[web]\nmax_redirects = -1\n", r"\[web\] max_redirects must be from 0 to 50"),
    ("[feeds]\nmax_items = -3\n", r"\[feeds\] max_items must be from 1 to"),
    ("[answer]\nmin_confidence = nan\n", r"\[answer\] min_confidence must be a finite number \(got nan\)"),
    ("[answer]\nmin_similarity = inf\n", r"\[answer\] min_similarity must be a finite number"),
    ("[answer]\nmin_similarity = 2\n", r"\[answer\] min_similarity must be from -1 to 1 \(got 2.0\)"),
    ("[answer]\nmax_sentences = 0\n", r"\[answer\] max_sentences must be from 1 to 20 \(got 0\)"),
    ("[answer]\nrecency_half_life_days = 0\n", r"\[answer\] recency_half_life_days must be above 0"),
    ("[discord]\ncooldown_seconds = -30\n", r"\[discord\] cooldown_seconds must be from 0 to"),
    ("[embedding]\nbatch_size = 0\n", r"\[embedding\] batch_size must be from 1 to 4096"),
    ('[embedding]\nbackend = "gpu"\n', r"\[embedding\] backend must be one of 'auto', 'onnx', 'torch', not 'gpu'$"),
    ("[ingest]\nbatch_articles = true\n", r"\[ingest\] batch_articles must be int, not True"),
    ('[ingest]\npassage_vectors = "both"\n', r"\[ingest\] passage_vectors must be one of 'mean', 'model', not 'both'"),
])
def test_values_out_of_range_are_refused_naming_file_section_and_setting(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(write(tmp_path, text))
    assert str(error.value).startswith(str(tmp_path / "custom.toml") + ": ")


def test_every_number_has_a_range_the_default_lies_in():
    settings = load_settings()
    engine = settings.engine
    for group in (settings.embedding, engine, engine.policy, engine.web, engine.feeds, settings.discord):
        for field in dataclasses.fields(group):
            if field.type in ("int", "float"):
                limits = field.metadata
                assert {"min", "above"} & set(limits), field.name
                assert limits.get("min", limits.get("above")) <= field.default <= limits.get("max", field.default)


def test_data_dir_from_the_environment_and_the_command_line_is_checked(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match=r"^--data-dir must be the path of a folder, not ' '$"):
        load_settings(None, " ")
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "")  # empty: unset, as shells treat it
    assert load_settings().data_dir == tmp_path / "xdg-data" / "newsbot"
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "  ")
    with pytest.raises(ConfigError, match=r"^NEWSBOT_DATA_DIR must be the path of a folder"):
        load_settings()


def test_the_store_url_comes_from_the_file_or_the_environment(tmp_path, monkeypatch):
    assert load_settings().engine.store.url == ""
    config = write(tmp_path, '[store]\nurl = "postgresql://newsbot@db.example/news"\npool_size = 3\n')
    assert load_settings(config).engine.store.url == "postgresql://newsbot@db.example/news"
    monkeypatch.setenv("NEWSBOT_STORE_URL", "postgres://other@db2.example/news")
    store = load_settings(config).engine.store
    assert (store.url, store.pool_size) == ("postgres://other@db2.example/news", 3)
    monkeypatch.setenv("NEWSBOT_STORE_URL", "")  # empty: unset, as shells treat it
    assert load_settings(config).engine.store.url == "postgresql://newsbot@db.example/news"


@pytest.mark.parametrize("where", ["file", "environment"])
def test_a_store_url_of_another_kind_is_refused_without_its_password(tmp_path, monkeypatch, where):
    url = "mysql://newsbot:hunter2@db.example/news"
    if where == "environment":
        monkeypatch.setenv("NEWSBOT_STORE_URL", url)
        config, source = None, "NEWSBOT_STORE_URL"
    else:
        config = write(tmp_path, f'[store]\nurl = "{url}"\n')
        source = f"{config}: [store] url"
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    message = str(refused.value)
    assert message.startswith(f"{source}: must be empty") and "'mysql'" in message and "hunter2" not in message


@pytest.mark.parametrize("command, text", [
    (["stats"], "[search]\ncandidates = 0\n"),
    (["feed", "poll"], "[ingest]\nbatch_articles = -5\n"),
    (["feed", "add", "http://127.0.0.1:9/feed.xml"], "[feeds]\nconcurrency = 0\n"),
    (["stats"], 'embedding = 5\n'),
    (["stats"], '[embedding]\nmodel = "hashing-99999999999"\n'),
])
def test_the_real_command_refuses_a_bad_setting_in_one_line(tmp_path, command, text):
    hashing = "" if "embedding" in text else '[embedding]\nmodel = "hashing"\n'
    result = run_newsbot(tmp_path, *command, config=hashing + text, timeout=30)
    line = one_error_line(result)
    assert result.returncode == 2 and line.startswith(f"error: {tmp_path / 'config.toml'}: ")
    assert not (tmp_path / "data").exists()


def test_an_unreadable_config_file_is_one_error(tmp_path, monkeypatch):
    path = write(tmp_path, "[answer]\nmax_sentences = 2\n")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", denied)  # as root, chmod would not stop the read
    with pytest.raises(ConfigError, match=r"custom.toml: cannot read the config file \(Permission denied\)$"):
        load_settings(path)
