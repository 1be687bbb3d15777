"""Settings come from the environment over a file.

Settings: PREPBOT_* environment variables over a TOML file over defaults; unusable values are named. The core's,
Slack's and Discord's settings are read from the same environment and file."""

from datetime import time, timedelta
from pathlib import Path

import pytest

from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from bot.config import ConfigError
from bot.domain.schedule import Deadline
from bot.domain.scoring import Weights
from entrypoints.settings import Configuration, load_settings


def toml(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "prepbot.toml"
    file.write_text(text, encoding="utf-8")
    return file


def test_an_empty_file_and_environment_give_the_defaults(tmp_path: Path) -> None:
    assert load_settings({}, toml(tmp_path, "")) == Configuration()


def test_the_file_sets_values_and_the_defaults_fill_the_rest(tmp_path: Path) -> None:
    file = toml(tmp_path, 'timezone = "Europe/Berlin"\npost_time = "08:15"\nanswer_max_chars = 2000\n')
    settings = load_settings({}, file).core
    assert (settings.timezone, settings.post_time, settings.answer_max_chars) == ("Europe/Berlin", "08:15", 2000)
    assert settings.deadline == "17:00"


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    file = toml(tmp_path, 'timezone = "Europe/Berlin"\npost_time = "08:15"\n[weights]\nper_vote = 3\ncoverage = 40\n')
    environ = {
        "PREPBOT_TIMEZONE": "America/New_York",
        "PREPBOT_ANSWER_MAX_CHARS": "1200",
        "PREPBOT_WEIGHT_PER_VOTE": "4",
    }
    settings = load_settings(environ, file).core
    assert settings.timezone == "America/New_York"
    assert settings.post_time == "08:15"
    assert settings.answer_max_chars == 1200
    assert settings.weights == Weights(per_vote=4, coverage=40)


def test_an_empty_environment_variable_does_not_override_the_file(tmp_path: Path) -> None:
    settings = load_settings({"PREPBOT_TIMEZONE": ""}, toml(tmp_path, 'timezone = "Asia/Tokyo"\n')).core
    assert settings.timezone == "Asia/Tokyo"


def test_the_config_file_can_be_named_by_prepbot_config(tmp_path: Path) -> None:
    file = toml(tmp_path, 'grace = "3h"\n')
    settings = load_settings({"PREPBOT_CONFIG": str(file)}).core
    assert settings.grace_delta == timedelta(hours=3)


def test_a_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({}, tmp_path / "missing.toml")


def test_an_unknown_setting_in_the_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, toml(tmp_path, 'timezone = "UTC"\ntime_zone = "Europe/Berlin"\n'))
    assert "'time_zone'" in str(caught.value)
    assert "prepbot.toml" in str(caught.value)


def test_an_unknown_weight_in_the_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, toml(tmp_path, "[weights]\nper_vot = 3\n"))
    assert "per_vot" in str(caught.value)


def test_a_file_that_is_not_toml_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, toml(tmp_path, "timezone = \n"))
    assert "prepbot.toml" in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "file_text", "named"),
    [
        ({}, 'timezone = "Mars/Base"\n', "'Mars/Base'"),
        ({"PREPBOT_TIMEZONE": "../etc/passwd"}, "", "'../etc/passwd'"),
    ],
)
def test_a_bad_timezone_is_a_config_error_naming_it(tmp_path: Path, environ: dict[str, str], file_text: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, toml(tmp_path, file_text))
    assert named in str(caught.value)


def test_a_deadline_not_after_the_post_time_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="deadline"):
        load_settings({"PREPBOT_POST_TIME": "18:00"}, toml(tmp_path, 'deadline = "17:00"\n'))


def test_a_setting_that_must_be_a_number_is_named_when_it_is_not(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"PREPBOT_ANSWER_MAX_CHARS": "lots"}, toml(tmp_path, ""))
    assert "answer_max_chars" in str(caught.value)
    assert "'lots'" in str(caught.value)


def test_a_negative_practice_cap_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="practice_daily_cap"):
        load_settings({"PREPBOT_PRACTICE_DAILY_CAP": "-1"}, toml(tmp_path, ""))


def test_platform_tokens_may_come_from_their_usual_variable_names(tmp_path: Path) -> None:
    environ = {"SLACK_BOT_TOKEN": "xoxb-usual", "PREPBOT_DISCORD_TOKEN": "discord-secret", "DISCORD_TOKEN": "ignored"}
    settings = load_settings(environ, toml(tmp_path, ""))
    assert settings.slack.slack_bot_token == "xoxb-usual"
    assert settings.discord.discord_token == "discord-secret"


def test_secrets_are_shown_only_as_set_or_not_set(tmp_path: Path) -> None:
    file = toml(tmp_path, 'slack_app_token = "xapp-from-file"\n')
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-very-secret"}, file)
    shown = settings.shown()
    assert shown["slack_bot_token"] == "(set)"
    assert shown["slack_app_token"] == "(set)"
    assert shown["discord_token"] == "(not set)"
    assert "xoxb-very-secret" not in repr(shown)
    assert "xapp-from-file" not in repr(shown)
    assert shown["timezone"] == "UTC"
    assert shown["weights"]["per_vote"] == 2


def test_the_default_schedule_follows_the_settings(tmp_path: Path) -> None:
    file = toml(tmp_path, 'timezone = "Europe/Berlin"\nweekdays = "mon,wed"\ndeadline = "6h"\nboard_weekday = "fri"\n')
    schedule = load_settings({}, file).core.default_schedule()
    assert schedule.tz == "Europe/Berlin"
    assert schedule.post_time == time(9, 30)
    assert schedule.weekdays == frozenset({0, 2})
    assert schedule.deadline == Deadline(after=timedelta(hours=6))
    assert schedule.board_weekday == 4
    assert load_settings({}, file).core.default_schedule(tz="Asia/Tokyo").tz == "Asia/Tokyo"


def test_the_database_password_is_hidden_where_the_settings_are_shown(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://prepbot:s3cr3t-Pa55@db.internal:5432/prepbot"
    settings = load_settings({"PREPBOT_DATABASE_URL": url}, toml(tmp_path, ""))
    shown = settings.shown()
    assert "s3cr3t-Pa55" not in repr(shown)
    assert shown["database_url"] == "postgresql+asyncpg://prepbot:***@db.internal:5432/prepbot"
    assert settings.core.database_url == url  # only the display hides it


def test_a_password_in_any_url_setting_is_hidden_where_the_settings_are_shown(tmp_path: Path) -> None:
    settings = load_settings({"SLACK_API_URL": "https://user:hunter2-proxy@proxy.example/api/"}, toml(tmp_path, ""))
    assert "hunter2-proxy" not in repr(settings.shown())


def test_slack_and_discord_settings_come_from_the_file_and_their_plain_variable_names(tmp_path: Path) -> None:
    file = toml(tmp_path, 'slack_mode = "http"\nslack_channel_interval = 0.5\ndiscord_shard_count = 4\n')
    environ = {"SLACK_SIGNING_SECRET": "sig", "PREPBOT_DISCORD_SHARD_IDS": "0,1", "DISCORD_MESSAGE_CONTENT": "false"}
    settings = load_settings(environ, file)
    assert settings.slack == SlackSettings(slack_signing_secret="sig", slack_mode="http", slack_channel_interval=0.5)
    assert settings.discord == DiscordSettings(discord_message_content=False, discord_shard_count=4,
                                               discord_shard_ids="0,1")


def test_a_platform_setting_that_must_be_a_number_is_named_when_it_is_not(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SLACK_CHANNEL_INTERVAL": "often"}, toml(tmp_path, ""))
    assert "slack_channel_interval" in str(caught.value) and "'often'" in str(caught.value)


def test_the_core_is_given_only_its_own_settings(tmp_path: Path) -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-core-never-sees", "DISCORD_TOKEN": "dt"}, toml(tmp_path, ""))
    assert not any(name.startswith(("slack_", "discord_")) for name in vars(settings.core))
    assert "xoxb-core-never-sees" not in repr(settings.core) and "xoxb-core-never-sees" in settings.secrets()
