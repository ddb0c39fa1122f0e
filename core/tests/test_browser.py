"""A person who works for two organisations signs in, reads her work in English and switches
the organisation she acts through: a real Chromium against the live server (conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from accounts.models import User
from conftest import PASSWORD
from core.tests.conftest import Browsing
from organisations.models import Organisation, Role

pytestmark = pytest.mark.browser

EMAIL = "dos-organizaciones@example.org"


def test_sign_in_switch_language_and_organisation(
    browsing: Browsing,
    org: Organisation,
    other_org: Organisation,
    make_member: Callable[..., User],
) -> None:
    make_member(Role.COORDINATOR, org, EMAIL)
    make_member(Role.LAWYER, other_org, EMAIL)
    page = browsing.page

    with page.expect_response(lambda r: r.url.endswith("/static/css/amparo.css")) as css:
        page.goto("/accounts/login/")
    assert css.value.status == 200
    assert css.value.header_value("content-type").startswith("text/css")
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0

    login_form = page.locator("form:has(input[name=password])")
    login_form.locator("input[name=login]").fill(EMAIL)
    login_form.locator("input[name=password]").fill(PASSWORD)
    login_form.locator("button[type=submit]").click()

    page.wait_for_url(f"{browsing.base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Mi trabajo")
    # DEBUG is off, so the session and CSRF cookies are Secure: the browser kept them.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["secure"]
    assert cookies["sessionid"]["httpOnly"]
    assert cookies["csrftoken"]["secure"]

    header = page.locator("header.top")
    header.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{browsing.base_url}/")

    acting_org = header.locator("select#acting-org")
    expect(acting_org).to_have_value(str(org.pk))  # the first by name
    acting_org.select_option(str(other_org.pk))
    with page.expect_navigation():
        header.locator("form:has(#acting-org) button[type=submit]").click()
    expect(acting_org).to_have_value(str(other_org.pk))
    expect(acting_org.locator("option:checked")).to_have_text(other_org.name)
    expect(page.locator("main")).to_contain_text(other_org.name)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    assert browsing.csp_violations() == []
    assert browsing.page_errors == []
    assert browsing.console_errors() == []
