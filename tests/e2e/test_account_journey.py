"""A new learner registers, signs in, creates an API token on the account page and signs out."""
import re

from playwright.sync_api import expect

from ..factories import make_city


def test_register_sign_in_create_token_sign_out(app, page, client):
    make_city("Heidelberg", "DE", "Europe/Berlin")
    page.goto("/register")
    page.get_by_label("Full name").fill("Jana Novak")
    page.get_by_label("E-mail").fill("jana@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("short")
    page.get_by_role("button", name="Create account").click()
    # The form comes back with the message next to the field, keeping what was typed.
    expect(page.locator("#password-error")).to_contain_text("at least 10")
    expect(page.get_by_label("Full name")).to_have_value("Jana Novak")

    page.get_by_label("Password (at least 10 characters)").fill("a-good-long-password")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("City (optional)").select_option(label="Heidelberg")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto("/login")
    page.get_by_label("E-mail").fill("jana@example.org")
    page.get_by_label("Password").fill("a-good-long-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome, Jana Novak")).to_be_visible()

    page.get_by_role("link", name=re.compile("Jana Novak")).click()
    page.get_by_label("Token name").fill("my report script")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("alms_")
    expect(page.get_by_role("cell", name="my report script", exact=True)).to_be_visible()

    # The token works for the API, without a session.
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["email"] == "jana@example.org"
    assert response.get_json()["timezone"] == "Europe/Lisbon"

    page.get_by_role("button", name="Revoke my report script").click()
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account"))
