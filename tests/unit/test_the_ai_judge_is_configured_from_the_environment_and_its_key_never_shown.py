"""The AI judge's settings: off until configured, read from PREPBOT_JUDGE_*, its API key redacted everywhere."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, JudgeSettings, Settings
from bot.logs import REDACTED, Redactor, configure_logging
from entrypoints.settings import load_settings

KEY = "sk-proj-abcdefghijklmnopqrstuvwx0123"
ENV = {
    "PREPBOT_JUDGE_BASE_URL": "http://127.0.0.1:11434/v1",
    "PREPBOT_JUDGE_MODEL": "qwen2.5:7b",
    "PREPBOT_JUDGE_API_KEY": KEY,
    "PREPBOT_JUDGE_TIMEOUT_SECONDS": "12.5",
    "PREPBOT_JUDGE_CONCURRENCY": "3",
    "PREPBOT_JUDGE_DAILY_BUDGET": "250",
}


def settings_from(tmp_path: Path, environ: dict[str, str], file_text: str = "") -> Settings:
    file = tmp_path / "prepbot.toml"
    file.write_text(file_text, encoding="utf-8")
    return load_settings(environ, file).core


def test_the_judge_is_off_until_its_base_url_and_model_are_set(tmp_path: Path) -> None:
    assert settings_from(tmp_path, {}).judge is None
    assert settings_from(tmp_path, {"PREPBOT_JUDGE_BASE_URL": "http://x/v1"}).judge is None
    assert settings_from(tmp_path, {"PREPBOT_JUDGE_MODEL": "m"}).judge is None
    file_text = 'judge_base_url = "https://api.example.com/v1"\n'
    on = settings_from(tmp_path, {"PREPBOT_JUDGE_MODEL": "m"}, file_text)
    assert on.judge == JudgeSettings("https://api.example.com/v1", "m")


def test_the_judge_settings_come_from_prepbot_judge_variables(tmp_path: Path) -> None:
    assert settings_from(tmp_path, ENV).judge == JudgeSettings("http://127.0.0.1:11434/v1", "qwen2.5:7b", KEY, 12.5, 3, 250)


def test_a_judge_url_that_is_not_http_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="judge_base_url"):
        load_settings({**ENV, "PREPBOT_JUDGE_BASE_URL": "localhost:11434"})
    with pytest.raises(ConfigError, match="judge_concurrency"):
        load_settings({**ENV, "PREPBOT_JUDGE_CONCURRENCY": "0"})


def test_config_show_and_the_judge_settings_repr_never_carry_the_api_key() -> None:
    settings = load_settings(ENV)
    assert settings.shown()["judge_api_key"] == "(set)"
    assert KEY not in repr(settings.shown()) and KEY not in repr(settings.core.judge)
    assert KEY in settings.secrets()


def test_the_api_key_is_redacted_from_every_log_line() -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "json", secrets=load_settings(ENV).secrets(), stream=stream)
    try:
        logging.getLogger("openai").debug("Request options: headers={'Authorization': 'Bearer %s'}", KEY)
        logging.getLogger("prepbot").warning("judge refused the key %s", KEY)
    finally:
        logging.getLogger().removeHandler(handler)
    assert KEY not in stream.getvalue() and REDACTED in stream.getvalue()


def test_an_openai_style_key_or_an_api_key_field_is_redacted_even_when_not_configured() -> None:
    redact = Redactor()
    assert KEY not in redact(f"key {KEY} refused")
    assert redact('{"api_key": "abc123secretvalue"}') == f'{{"api_key": "{REDACTED}"}}'


def test_a_password_in_the_judges_url_is_hidden_from_config_show_and_redacted_from_every_log_line() -> None:
    password = "Pw0rdSecret99"
    url = f"http://judgeuser:{password}@127.0.0.1:11434/v1"
    settings = load_settings({**ENV, "PREPBOT_JUDGE_BASE_URL": url})
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", secrets=settings.secrets(), stream=stream)
    try:
        logging.getLogger("httpx").info('HTTP Request: POST %s/chat/completions "HTTP/1.1 200 OK"', url)
    finally:
        logging.getLogger().removeHandler(handler)
    assert password not in repr(settings.shown())
    assert password not in stream.getvalue() and "judgeuser" in stream.getvalue()
    with pytest.raises(ConfigError) as refused:
        load_settings({**ENV, "PREPBOT_JUDGE_BASE_URL": f"ftp://judgeuser:{password}@host/v1"})
    assert password not in str(refused.value)
