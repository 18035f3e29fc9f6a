"""Settings follow the flags, the environment and the config file as they change."""

import os

import pytest

from grader.errors import ConfigError
from grader.settings import index_folder, override, settings


def test_settings_follow_every_change_of_flags_variables_and_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[grader]\nmax_words = 100\n", encoding="utf-8")
    monkeypatch.setenv("MLSD_CONFIG", str(cfg))
    monkeypatch.delenv("MLSD_MAX_WORDS", raising=False)
    assert settings().max_words == 100
    cfg.write_text("[grader]\nmax_words = 200\n", encoding="utf-8")
    os.utime(cfg, ns=(1, 1))  # a new modification time, however coarse the file system's clock
    assert settings().max_words == 200
    monkeypatch.setenv("MLSD_MAX_WORDS", "300")
    assert settings().max_words == 300
    with override(max_words=400):
        assert settings().max_words == 400
    assert settings().max_words == 300
    monkeypatch.setenv("MLSD_MAX_WORDS", "many")
    for _ in range(2):  # a bad value is reported on every call, never remembered as good
        with pytest.raises(ConfigError, match="max_words"):
            settings()
    monkeypatch.delenv("MLSD_MAX_WORDS")
    monkeypatch.setenv("MLSD_CONFIG", os.devnull)  # an empty file: the defaults
    assert settings().max_words == type(settings()).model_fields["max_words"].default


def test_a_config_file_that_mlsd_config_names_must_exist(tmp_path, monkeypatch):
    from grader.llm.config import load_config

    cfg = tmp_path / "config.toml"
    cfg.write_text("[grader]\nmax_words = 100\n", encoding="utf-8")
    monkeypatch.setenv("MLSD_CONFIG", str(cfg))
    assert settings().max_words == 100
    cfg.unlink()  # its settings are not silently dropped: said on every call, as a bad file is
    for read in (settings, settings, load_config):
        with pytest.raises(ConfigError, match="^config file .*config.toml .MLSD_CONFIG. does not"):
            read()
    monkeypatch.delenv("MLSD_CONFIG")  # the user config folder's file may be absent
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    assert settings().max_words == type(settings()).model_fields["max_words"].default


def test_defaults_follow_the_folders_the_environment_names(tmp_path, monkeypatch):
    monkeypatch.delenv("MLSD_DATA_DIR", raising=False)
    for name in ("a", "b"):
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / name))
        assert settings().data_dir == tmp_path / name / "mlsd-grader"


def test_ones_own_notes_live_in_the_data_folder_that_is_set(tmp_path, monkeypatch):
    """MLSD_DATA_DIR keeps a user's files in one place: their notes too, unless MLSD_USER_KB says
    otherwise (`mlsd case new` had written to the platform's folder)."""
    monkeypatch.delenv("MLSD_USER_KB", raising=False)
    monkeypatch.setenv("MLSD_DATA_DIR", str(tmp_path / "mine"))
    assert settings().user_kb == tmp_path / "mine" / "knowledge"
    monkeypatch.delenv("MLSD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert settings().user_kb == tmp_path / "xdg" / "mlsd-grader" / "knowledge"
    monkeypatch.setenv("MLSD_USER_KB", str(tmp_path / "notes"))
    monkeypatch.setenv("MLSD_DATA_DIR", str(tmp_path / "mine"))
    assert settings().user_kb == tmp_path / "notes"


def test_a_folder_set_empty_is_no_folder_at_all(tmp_path, monkeypatch):
    """`MLSD_DATA_DIR=""` had put the history in the current folder: a variable set empty reads as
    unset (as XDG_DATA_HOME does), and an empty path in the config file is refused in one line."""
    monkeypatch.setenv("MLSD_CONFIG", os.devnull)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("MLSD_DATA_DIR", "")
    assert settings().data_dir == tmp_path / "xdg" / "mlsd-grader"
    monkeypatch.setenv("MLSD_MAX_WORDS", " ")
    assert settings().max_words == type(settings()).model_fields["max_words"].default
    cfg = tmp_path / "config.toml"
    cfg.write_text('[grader]\ndata_dir = ""\n', encoding="utf-8")
    monkeypatch.setenv("MLSD_CONFIG", str(cfg))
    with pytest.raises(ConfigError, match="^setting data_dir: is empty"):
        settings()
    monkeypatch.setenv("MLSD_DATA_DIR", str(tmp_path / "mine"))  # the variable wins over the file
    assert settings().data_dir == tmp_path / "mine"


def test_variables_match_in_any_case_and_other_tools_variables_are_left_alone(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MLSD_CONFIG", os.devnull)  # no config file's settings
    for name in ("MLSD_AUTO_INDEX", "MLSD_MAX_WORDS", "mlsd_max_words"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("mlsd_auto_index", "0")
    monkeypatch.setenv("MAX_WORDS", "7")  # no prefix: not ours
    assert settings().auto_index is False
    assert settings().max_words == type(settings()).model_fields["max_words"].default
    monkeypatch.setenv("mlsd_max_words", "5")
    monkeypatch.setenv("MLSD_MAX_WORDS", "6")
    assert settings().max_words == 6  # the upper-case spelling wins, whichever was set last
    monkeypatch.setenv("mlsd_auto_index", "perhaps")
    with pytest.raises(ConfigError, match="auto_index"):
        settings()


def test_an_index_of_ones_own_notes_lives_apart_from_the_installs_and_each_others(
    tmp_path, monkeypatch
):
    """The index of the bundled notes with a user's own is kept per knowledge folder: a user's
    cases rebuilt the install's `.index`, and two folders used in turn rebuilt each other's."""
    for name in ("MLSD_INDEX_DIR", "MLSD_USER_KB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLSD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a default knowledge folder
    bundled = settings().index_dir
    assert index_folder() == bundled  # no notes of one's own: the install's index
    folders = {}
    for name in ("mine", "theirs"):
        (tmp_path / name / "cases").mkdir(parents=True)
        monkeypatch.setenv("MLSD_USER_KB", str(tmp_path / name))
        assert index_folder() == bundled  # an empty folder adds nothing
        (tmp_path / name / "cases" / "bids.md").write_text("---\nid: bids\n---\n")
        folders[name] = index_folder()
        assert folders[name].parent == tmp_path / "cache" / "indexes"
    assert folders["mine"] != folders["theirs"]
    monkeypatch.setenv("MLSD_USER_KB", str(tmp_path / "mine"))
    assert index_folder() == folders["mine"]  # the same folder finds its index again
    monkeypatch.setenv("MLSD_INDEX_DIR", str(tmp_path / "chosen"))
    assert index_folder() == tmp_path / "chosen"  # a folder one names is used as named


def test_cors_origins_are_web_origins(monkeypatch):
    """`MLSD_API_CORS_ORIGINS=not-a-url` was taken without a word, and no page could call the API."""
    monkeypatch.setenv("MLSD_CONFIG", os.devnull)
    monkeypatch.setenv("MLSD_API_CORS_ORIGINS", "https://learn.example.com, http://localhost:3000")
    assert settings().api_cors_origins.startswith("https://learn.example.com")
    monkeypatch.setenv("MLSD_API_CORS_ORIGINS", "*")
    assert settings().api_cors_origins == "*"
    for bad in ("not-a-url", "https://learn.example.com/course", "learn.example.com"):
        monkeypatch.setenv("MLSD_API_CORS_ORIGINS", bad)
        with pytest.raises(ConfigError, match="is no web origin"):
            settings()
