"""Settings: read once from WARTA_* and an optional TOML file; bad values name the variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, load_settings


def test_defaults_follow_the_contract() -> None:
    settings = load_settings({})
    assert settings.database_url is None
    assert settings.data_dir == Path("var")
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.base_url == "http://127.0.0.1:8080"
    # The shipped catalogue, wherever the command runs from (package data, absolute).
    assert settings.seeds.is_absolute() and (settings.seeds / "antara.toml").is_file()
    assert settings.log_level == "INFO" and settings.log_format == "text"
    assert settings.user_agent.startswith("Warta/") and "(+https://" in settings.user_agent


def test_environment_overrides_and_types() -> None:
    settings = load_settings(
        {
            "WARTA_PORT": "9090",
            "WARTA_PUBLIC_URL": "https://feeds.example.org/",
            "WARTA_DATABASE_URL": "postgresql://u:p@db/warta",
            "WARTA_LOG_LEVEL": "debug",
            "WARTA_USER_AGENT_CONTACT": "https://example.org/bot",
        }
    )
    assert settings.port == 9090
    assert settings.base_url == "https://feeds.example.org"
    assert settings.database_url == "postgresql://u:p@db/warta"
    assert settings.log_level == "DEBUG"
    assert settings.user_agent.endswith("(+https://example.org/bot)")


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "culprit"),
    [
        ({"WARTA_PORT": "eighty"}, "WARTA_PORT"),
        ({"WARTA_PORT": "70000"}, "WARTA_PORT"),
        ({"WARTA_DATABASE_URL": "mysql://x"}, "WARTA_DATABASE_URL"),
        ({"WARTA_LOG_FORMAT": "xml"}, "WARTA_LOG_FORMAT"),
        ({"WARTA_LOG_LEVEL": "LOUD"}, "WARTA_LOG_LEVEL"),
        ({"WARTA_PUBLIC_URL": "feeds.example.org"}, "WARTA_PUBLIC_URL"),
        ({"WARTA_CONFIG": "/nonexistent/warta.toml"}, "WARTA_CONFIG"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], culprit: str) -> None:
    with pytest.raises(SettingsError, match=culprit):
        load_settings(env)


def test_toml_file_gives_the_same_keys_and_env_wins(tmp_path: Path) -> None:
    path = tmp_path / "warta.toml"
    path.write_text('port = 9000\nlog_format = "json"\nWARTA_HOST = "0.0.0.0"\n')
    settings = load_settings({"WARTA_CONFIG": str(path), "WARTA_PORT": "9100"})
    assert settings.port == 9100
    assert settings.log_format == "json"
    assert settings.host == "0.0.0.0"


def test_toml_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "warta.toml"
    path.write_text("port = 'x'\n")
    with pytest.raises(SettingsError, match=r"warta\.toml: port"):
        load_settings({"WARTA_CONFIG": str(path)})
    path.write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings({"WARTA_CONFIG": str(path)})


def test_bad_setting_stops_startup_with_exit_code_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "warta.cli", "migrate"],
        env={"WARTA_PORT": "not-a-port", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "WARTA_PORT" in proc.stderr


def test_settings_type_is_the_one_passed_around() -> None:
    assert isinstance(load_settings({}), Settings)
