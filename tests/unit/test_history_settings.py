"""History retention settings come from the environment like every other setting, and are checked at start-up."""
from __future__ import annotations

import pytest

from app.config import ConfigError, Settings


def test_retention_settings_default_to_camundas_and_read_the_environment():
    defaults = Settings.load(environ={})
    assert (defaults.history_time_to_live_days, defaults.history_cleanup_batch,
            defaults.history_cleanup_interval_seconds) == (180, 500, 3600)
    settings = Settings.load(environ={"HISTORY_TIME_TO_LIVE_DAYS": "0", "HISTORY_CLEANUP_BATCH": "50",
                                      "HISTORY_CLEANUP_INTERVAL_SECONDS": "0"})
    assert (settings.history_time_to_live_days, settings.history_cleanup_batch,
            settings.history_cleanup_interval_seconds) == (0, 50, 0)


@pytest.mark.parametrize("name, value", [("HISTORY_TIME_TO_LIVE_DAYS", "-1"), ("HISTORY_CLEANUP_BATCH", "0"),
                                         ("HISTORY_CLEANUP_INTERVAL_SECONDS", "-5"),
                                         ("HISTORY_CLEANUP_BATCH", "many")])
def test_malformed_retention_settings_are_named_errors(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.load(environ={name: value})


def test_an_override_beats_the_same_setting_from_the_environment():
    settings = Settings.load({"job_executor": "eager"}, environ={"JOB_EXECUTOR": "off"})
    assert settings.job_executor == "eager"
