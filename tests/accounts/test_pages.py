"""Sign-in, registration, account and admin pages."""
from sqlalchemy import select

from action_lms.accounts.models import City, User

from ..factories import PASSWORD, make_city, make_user
from ..helpers import csrf_from, login_session


def test_login_page_shows_an_error_in_place_and_keeps_the_email(client):
    make_user(email="lea@example.org")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "lea@example.org", "password": "wrong-password", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "E-mail or password is not correct." in html
    assert 'value="lea@example.org"' in html


def test_form_posts_without_csrf_are_refused(client):
    make_user(email="lea@example.org")
    response = client.post("/login", data={"email": "lea@example.org", "password": PASSWORD})
    assert response.status_code in (400, 422)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_redirects_only_to_local_next(client):
    user = make_user(email="lea@example.org")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/steal", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/account"


def test_register_form_shows_field_errors(client):
    make_user(email="taken@example.org")
    token = csrf_from(client.get("/register").get_data(as_text=True))
    response = client.post("/register", data={"name": "T", "email": "taken@example.org", "password": "long-enough-pw",
                                              "timezone": "Europe/Berlin", "city_id": "", "csrf_token": token})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_pages_require_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=/account" in response.headers["Location"]


def test_account_page_changes_details_and_password(client, session):
    user = make_user(email="lea@example.org")
    csrf = login_session(client, user)
    response = client.post("/account", data={"name": "Lea Weber", "timezone": "Europe/Helsinki", "csrf_token": csrf})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).timezone == "Europe/Helsinki"
    response = client.post("/account/password", data={"current_password": "wrong", "new_password": "another-long-one", "csrf_token": csrf})
    assert response.status_code == 422 and "current password is not correct" in response.get_data(as_text=True)
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "another-long-one", "csrf_token": csrf})
    assert response.status_code == 302


def test_admin_pages_are_for_admins_only(client):
    csrf = login_session(client, make_user("coordinator"))
    assert client.get("/admin/cities").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/cities/new", data={"name": "X", "country": "DE", "timezone": "Europe/Berlin", "csrf_token": csrf}).status_code == 403


def test_admin_adds_a_city_and_a_coordinator_through_the_pages(client, session):
    csrf = login_session(client, make_user("admin"))
    response = client.post("/admin/cities/new", data={"name": "Leuven", "country": "BE", "timezone": "Europe/Brussels", "csrf_token": csrf})
    assert response.status_code == 302
    city = session.scalars(select(City).where(City.name == "Leuven")).one()
    response = client.post("/admin/users/new", data={"name": "Coord", "email": "coord@leuven.example", "role": "coordinator",
                                                     "city_id": "", "timezone": "Europe/Brussels", "csrf_token": csrf})
    assert response.status_code == 422 and "must belong to a city" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={"name": "Coord", "email": "coord@leuven.example", "role": "coordinator",
                                                     "city_id": str(city.id), "timezone": "Europe/Brussels", "csrf_token": csrf})
    assert response.status_code == 302
    assert "coord@leuven.example" in client.get("/admin/users?role=coordinator").get_data(as_text=True)


def test_navigation_depends_on_role(client):
    login_session(client, make_user("admin"))
    html = client.get("/").get_data(as_text=True)
    assert "/admin/cities" in html
    client2 = client.application.test_client()
    login_session(client2, make_user("learner"))
    assert "/admin/cities" not in client2.get("/").get_data(as_text=True)


def test_erase_account_from_the_page(client, session):
    user = make_user(email="bye@example.org")
    csrf = login_session(client, user)
    response = client.post("/account/erase", data={"csrf_token": csrf})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).erased_at is not None
    assert client.get("/account").status_code == 302


def test_data_export_download(client):
    user = make_user(email="me@example.org")
    login_session(client, user)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["account"]["email"] == "me@example.org"


def test_admin_users_page_query_count_is_constant(client, count_queries):
    admin = make_user("admin")
    city = make_city()
    login_session(client, admin)
    for _ in range(2):
        make_user(city=city)
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(20):
        make_user(city=make_city())
    with count_queries() as many:
        client.get("/admin/users")
    assert many.count == few.count


def test_admin_user_list_pages_without_a_dead_next_link(client, session):
    """Exactly 50 users fill one page: no "Next page" leading to an empty one (it used to show)."""
    admin = make_user("admin")
    for _ in range(49):
        make_user(commit=False)
    session.commit()
    login_session(client, admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Next page" not in html and "(50)" in html
    make_user()
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Next page" in html and "Page 1 of 2" in html
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Previous page" in second and "Next page" not in second


def _welcome_mail(session, user_id):
    from action_lms.core.models import OutboxMessage
    return session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id,
                                                       OutboxMessage.kind == "welcome")).one()


def test_email_fields_use_autocomplete_email_and_passwords_keep_theirs(client):
    import re
    for path, password in (("/login", "current-password"), ("/register", "new-password"), ("/password/forgot", None)):
        html = client.get(path).get_data(as_text=True)
        email = re.search(r'<input[^>]*type="email"[^>]*>', html).group(0)
        assert 'autocomplete="email"' in email, (path, email)
        assert 'autocomplete="username"' not in html, path
        if password:
            field = re.search(r'<input[^>]*type="password"[^>]*>', html).group(0)
            assert f'autocomplete="{password}"' in field, (path, field)


def test_register_without_a_zone_takes_the_zone_of_the_requested_city(client, session):
    bologna = make_city("Bologna", "IT", "Europe/Rome")
    page = client.get("/register").get_data(as_text=True)
    # Nothing preselected on the server: the browser's zone comes from the page's own script.
    assert 'selected value="Europe/Brussels"' not in page and '<option selected value="">' in page
    assert '<script src="/static/register-timezone.js" defer></script>' in page
    response = client.post("/register", data={"name": "Giulia Rossi", "email": "giulia@example.org",
                                              "password": "long-enough-pw", "timezone": "", "city_id": str(bologna.id),
                                              "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    user = session.scalars(select(User).where(User.email == "giulia@example.org")).one()
    assert user.timezone == "Europe/Rome" and user.requested_city_id == bologna.id
    assert "your time zone, Europe/Rome" in _welcome_mail(session, user.id).body_text


def test_register_form_keeps_a_chosen_zone_refuses_a_bad_one_and_defaults_without_a_city(app, session):
    bologna = make_city("Bologna", "IT", "Europe/Rome")

    def post(email, **fields):
        client = app.test_client()
        data = {"name": "Someone", "email": email, "password": "long-enough-pw", "city_id": "",
                "csrf_token": csrf_from(client.get("/register").get_data(as_text=True))}
        data.update(fields)
        return client.post("/register", data=data)

    assert post("chosen@example.org", timezone="Europe/Lisbon", city_id=str(bologna.id)).status_code == 302
    assert post("bad@example.org", timezone="Mars/Olympus", city_id=str(bologna.id)).status_code == 422
    assert post("nocity@example.org").status_code == 302  # no zone field sent at all
    zones = dict(session.execute(select(User.email, User.timezone)).all())
    assert zones["chosen@example.org"] == "Europe/Lisbon"
    assert "bad@example.org" not in zones
    assert zones["nocity@example.org"] == "Europe/Brussels"


def test_the_zone_script_preselects_the_browsers_zone_only_when_none_is_chosen(client):
    response = client.get("/static/register-timezone.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script
    assert 'select.value !== ""' in script  # a zone already chosen (or sent back after an error) stays
    assert "data-browser-timezone" in client.get("/register").get_data(as_text=True)
