"""Every id attribute is unique on a page, also where several forms share it (each Flask-WTF
form renders a CSRF input, by default with `id="csrf_token"`)."""
from collections import Counter
from html.parser import HTMLParser

from ..exchanges.world import accepted, invited, make_world, requested
from ..factories import make_city, make_practice, make_user
from ..helpers import login_session


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids.extend(value for name, value in attrs if name == "id")

    handle_startendtag = handle_starttag


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)


def assert_unique_ids(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    html = response.get_data(as_text=True)
    assert duplicate_ids(html) == [], f"{path} repeats ids {duplicate_ids(html)}"
    return html


def test_the_checker_finds_a_repeated_id():
    assert duplicate_ids('<input id="csrf_token"><form><input id="csrf_token" /></form><p id="x">') == ["csrf_token"]


def test_public_pages_have_unique_ids(client):
    for path in ("/", "/login", "/register", "/password/forgot"):
        assert_unique_ids(client, path)


def test_account_page_with_all_its_forms_has_unique_ids(app):
    make_city("Bologna", "IT", "Europe/Rome")
    client = app.test_client()
    login_session(client, make_user("learner"))  # no city: the page shows the city form too
    html = assert_unique_ids(client, "/account")
    # Five forms (city, details, password, token, calendar), each still carrying its CSRF token.
    assert html.count("<form") >= 6  # and the sign-out form of the header
    assert html.count('name="csrf_token"') + html.count('-csrf_token"') >= 6


def test_account_page_of_a_member_and_of_an_admin_have_unique_ids(app):
    for user in (make_user("coordinator", city=make_city()), make_user("admin")):
        client = app.test_client()
        login_session(client, user)
        assert_unique_ids(client, "/account")
        assert_unique_ids(client, "/account/erase")


def test_exchange_pages_with_several_forms_have_unique_ids(app, client):
    world = make_world()
    _, exchange = requested(client, world)
    invitations = invited(client, world, exchange["id"], "barcelona", "bologna")
    accepted(client, world, exchange["id"], {"barcelona": invitations["barcelona"]})
    for user in (world.coord["berlin"], world.coord["bologna"], world.admin):
        browser = app.test_client()
        login_session(browser, user)
        assert_unique_ids(browser, f"/exchanges/{exchange['id']}")


def test_practice_pages_with_several_forms_have_unique_ids(app):
    city = make_city()
    submitted = make_practice(city, status="submitted")
    published = make_practice(city, status="published")
    for user in (make_user("admin"), make_user("coordinator", city=city)):
        client = app.test_client()
        login_session(client, user)
        for path in (f"/practices/{submitted.id}", f"/practices/{published.id}"):
            assert_unique_ids(client, path)


def test_the_consultants_schedule_with_its_two_forms_has_unique_ids(app):
    from ..factories import make_consultant
    client = app.test_client()
    login_session(client, make_consultant())
    html = assert_unique_ids(client, "/consulting/schedule")
    assert html.count('name="csrf_token"') >= 3
