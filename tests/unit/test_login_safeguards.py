"""Login safeguards without a server: the failed-login throttle, the credential cache's revocation, and the
session secret shared by a server's workers."""
from __future__ import annotations

import os
import stat
import threading

import pytest

from app.config import ConfigError, Settings, session_secret
from app.services.context import Actor
from app.services.credentials import CredentialCache
from app.services.errors import TooManyAttempts
from app.services.login_throttle import LoginThrottle


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_refuses_a_user_name_after_the_limit_until_the_oldest_failure_ages_out():
    clock = Clock()
    throttle = LoginThrottle(per_user=3, per_address=100, window_seconds=60, clock=clock)
    for _ in range(3):
        throttle.check("li", "10.0.0.1")
        throttle.failed("li", "10.0.0.1")
        clock.now += 10
    with pytest.raises(TooManyAttempts) as refused:
        throttle.check("li", "10.0.0.2")  # another address does not help
    assert refused.value.retry_after == 30  # the first failure (t=100) leaves the window at t=160; now t=130
    throttle.check("wang", "10.0.0.1")
    clock.now += 30
    throttle.check("li", "10.0.0.1")


def test_throttle_counts_addresses_across_user_names_and_success_forgives_only_the_user_name():
    clock = Clock()
    throttle = LoginThrottle(per_user=2, per_address=3, window_seconds=60, clock=clock)
    for user in ("a", "b", "c"):
        throttle.failed(user, "10.0.0.9")
    with pytest.raises(TooManyAttempts):
        throttle.check("d", "10.0.0.9")
    throttle.check("d", "10.0.0.8")
    throttle.failed("a", "10.0.0.8")
    throttle.succeeded("a")
    throttle.check("a", "10.0.0.7")


def test_throttle_memory_is_bounded_under_a_spray_of_user_names():
    clock = Clock()
    throttle = LoginThrottle(per_user=5, per_address=10**9, window_seconds=60, clock=clock)
    throttle.MAX_KEYS = 100
    for n in range(1000):
        throttle.failed(f"user{n}", "10.0.0.1")
    assert len(throttle._failures) <= 101


def test_revoking_a_user_forgets_their_logins_and_refuses_a_check_that_raced_it():
    cache = CredentialCache(60)
    li, wang = Actor("li"), Actor("wang")
    cache.put(("li", b"pw"), li)
    cache.put(("wang", b"pw"), wang)
    before = cache.generation("li")  # a check of li's password starts here ...
    cache.revoke("li")               # ... li's password changes and commits ...
    cache.put(("li", b"old"), li, before)  # ... and the check, which read the old hash, finishes
    assert cache.get(("li", b"pw")) is None and cache.get(("li", b"old")) is None
    assert cache.get(("wang", b"pw")) is wang
    cache.put(("li", b"new"), li, cache.generation("li"))
    assert cache.get(("li", b"new")) is li
    cache.revoke(None)
    assert cache.get(("li", b"new")) is None and cache.get(("wang", b"pw")) is None


def test_cached_logins_expire():
    clock = Clock()
    cache = CredentialCache(5, clock=clock)
    cache.put(("li", b"pw"), Actor("li"))
    clock.now += 6
    assert cache.get(("li", b"pw")) is None


def test_secret_key_setting_wins_and_must_be_long():
    assert session_secret(Settings(secret_key="k" * 32)) == "k" * 32
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.load({"secret_key": "short"}, environ={})


def test_secret_key_file_is_created_once_private_and_shared_by_concurrent_workers(tmp_path):
    settings = Settings(secret_key_file=str(tmp_path / "instance" / "secret_key"))
    keys: list[str] = []
    workers = [threading.Thread(target=lambda: keys.append(session_secret(settings))) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert session_secret(settings) == keys[0]
    assert stat.S_IMODE(os.stat(settings.secret_key_file).st_mode) == 0o600
    assert [p.name for p in (tmp_path / "instance").iterdir()] == ["secret_key"]


def test_an_unusable_secret_key_file_is_a_named_configuration_error(tmp_path):
    (tmp_path / "secret_key").write_text("too short\n")
    with pytest.raises(ConfigError, match="SECRET_KEY_FILE"):
        session_secret(Settings(secret_key_file=str(tmp_path / "secret_key")))
