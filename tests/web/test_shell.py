"""The shell every page shares: logging in and out, the language switch (remembered), offline assets."""
from __future__ import annotations


def test_login_switch_language_and_log_out(visit):
    page = visit.go("/login", shoot="login")
    assert page.locator("h1").inner_text() == "登录快保"
    page.fill("input[name=username]", "changchun.hrss")
    page.fill("input[name=password]", "wrong")
    visit.expect_console_error("401")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert page.locator("#login-error").inner_text() == "用户名或密码错误。"

    visit.login("changchun.hrss")
    assert page.locator(".mainnav a").first.inner_text() == "任务"
    page.click(".langs a[data-lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".mainnav a").first.inner_text() == "Tasks"
    visit.go("/tracker")  # another page: the choice is remembered
    assert page.locator(".mainnav a").first.inner_text() == "Tasks"
    assert page.locator("html").get_attribute("lang") == "en"
    visit.logout()
    visit.go("/tasks")
    assert "/login" in page.url


def test_pages_need_a_session(visit):
    page = visit.go("/cockpit")
    assert "/login?next=/cockpit" in page.url
