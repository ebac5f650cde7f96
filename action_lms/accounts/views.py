"""HTML pages: home, sign-in, registration, account, admin pages for cities and users."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    json,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import refresh as refresh_language
from flask_login import current_user, login_required, logout_user

from ..core.calendar import calendar_response, events_for
from ..core.errors import DomainError
from ..core.forms import EmptyForm, apply_errors, safe_next_url
from ..core.home import home_page
from ..core.i18n import SESSION_KEY as LANGUAGE_SESSION_KEY
from ..core.i18n import _, in_language, is_language, ngettext, user_language
from ..core.policy import ROLES
from ..extensions import limiter
from . import services
from .api import current_session_secret, email_limit, login_limit, sign_in, sign_out
from .forms import (
    CityForm,
    CityRequestForm,
    EmailPreferencesForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
    UserForm,
)
from .services.home import role_line

bp = Blueprint("accounts", __name__)


@bp.route("/")
def home():
    """Signed out: what the service is. Signed in: what waits for the person and the panels of their role."""
    if not current_user.is_authenticated:
        return render_template("home.html", home=None)
    return render_template("home.html", home=home_page(current_user), role_line=role_line)


@bp.route("/language", methods=["POST"])
def switch_language():
    """The header's language switch: remembered in the session (signed-out visitors keep it)
    and, for a signed-in person, saved as their language (their e-mails follow it)."""
    form = LanguageForm()
    if form.validate_on_submit() and is_language(form.language.data):
        session[LANGUAGE_SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            services.update_profile(current_user, language=form.language.data)
        refresh_language()
    return redirect(safe_next_url(url_for("accounts.home")))


# ---------------------------------------------------------------- sign-in


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@email_limit("sign-in", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(url_for("accounts.home")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as exc:
            form.form_errors.append(exc.message)
        else:
            sign_in(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next_url(url_for("accounts.home")))
    status = 200 if request.method != "POST" else 401 if form.form_errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@email_limit("registration", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = RegisterForm(cities=services.all_cities())
    if form.validate_on_submit():
        try:
            # An unchosen zone is None: the service then takes the requested city's zone, or the default.
            user = services.register(
                form.email.data,
                form.password.data,
                form.name.data,
                form.timezone.data or None,
                form.city_id.data,
                form.language.data or None,
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            sign_in(user)
            flash(_("Your account is ready. Welcome to ACTION LMS."), "success")
            if user.requested_city is not None:
                flash(
                    _(
                        "You asked to join %(city)s. Its coordinators will decide; we will tell you by e-mail. "
                        "Until then you see the courses and webinars, not the city's own pages.",
                        city=user.requested_city.name,
                    ),
                    "info",
                )
            return redirect(url_for("accounts.home"))
    return render_template("auth/register.html", form=form), 200 if request.method != "POST" else 422


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        sign_out()
        flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@email_limit("password-reset", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account exists for this address, we have sent it a link to reset the password. "
                "The link is valid for one hour."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("auth/forgot.html", form=form), 200 if request.method != "POST" else 422


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token):
    form = ResetPasswordForm()
    try:
        services.user_for_reset_token(token)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("auth/reset.html", form=form), 200 if request.method != "POST" else 422


# ---------------------------------------------------------------- my account


def _account_page(
    profile_form=None,
    password_form=None,
    token_form=None,
    new_token=None,
    status=200,
    new_feed_url=None,
    city_form=None,
):
    user = current_user
    profile_form = profile_form or ProfileForm(obj=user, formdata=None)
    return render_template(
        "account/account.html",
        profile_form=profile_form,
        password_form=password_form or PasswordForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None, prefix="token"),
        tokens=services.list_tokens(user),
        sessions=services.list_sessions(user, current_session_secret()),
        show_city=services.can_request_membership(user) or user.city_status == "pending",
        city_form=city_form or _city_request_form(),
        new_token=new_token,
        new_feed_url=new_feed_url,
        empty_form=EmptyForm(),
    ), status


def _city_request_form(formdata=None):
    form = CityRequestForm(formdata=formdata, prefix="city", cities=services.all_cities())
    return form


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm(obj=current_user)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_profile(current_user, form.name.data, form.timezone.data, form.language.data)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                flash(_("Your details are saved."), "success")
                return redirect(url_for("accounts.account"))
        return _account_page(profile_form=form, status=422)
    return _account_page(profile_form=form)


@bp.route("/account/emails", methods=["GET", "POST"])
@login_required
def email_preferences():
    """Which optional e-mails I get; every optional e-mail's footer links here."""
    current = services.email_preferences(current_user)
    form = EmailPreferencesForm(data=current, labels=services.group_labels())
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.set_email_preferences(current_user, **{name: bool(form[name].data) for name in current})
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                flash(_("Your e-mail choices are saved."), "success")
                return redirect(url_for("accounts.email_preferences"))
        status = 422
    return render_template("account/emails.html", form=form, groups=list(current)), status


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data, keep_session=current_session_secret()
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=form, status=422)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm(prefix="token")
    if form.validate_on_submit():
        try:
            plain, token = services.issue_token(current_user, form.name.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return _account_page(new_token={"name": token.name, "token": plain}, status=201)
    return _account_page(token_form=form, status=422)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token_id)
        flash(_("The token is revoked; scripts using it will be refused."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/revoke", methods=["POST"])
@login_required
def revoke_other_sessions():
    """Sign out everywhere else (the button on the account page)."""
    if EmptyForm().validate_on_submit():
        ended = services.end_other_sessions(current_user, current_session_secret())
        flash(
            ngettext("Signed out of %(num)d other session.", "Signed out of %(num)d other sessions.", ended)
            if ended
            else _("You were not signed in anywhere else."),
            "success",
        )
    return redirect(url_for("accounts.account", _anchor="sessions"))


@bp.route("/account/city", methods=["POST"])
@login_required
def request_city():
    """Ask to join a city from the account page."""
    form = CityRequestForm(prefix="city", cities=services.all_cities())
    if form.validate_on_submit():
        try:
            user = services.request_to_join(current_user, form.city_id.data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(
                _(
                    "You asked to join %(city)s. Its coordinators will decide; we will tell you by e-mail.",
                    city=user.requested_city.name,
                )
                if user.requested_city
                else _("You asked to join the city. Its coordinators will decide; we will tell you by e-mail."),
                "success",
            )
            return redirect(url_for("accounts.account", _anchor="city"))
    return _account_page(city_form=form, status=422)


@bp.route("/account/city/withdraw", methods=["POST"])
@login_required
def withdraw_city_request():
    if EmptyForm().validate_on_submit():
        try:
            services.withdraw_join_request(current_user)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Your request to join a city is withdrawn."), "info")
    return redirect(url_for("accounts.account", _anchor="city"))


@bp.route("/join-requests")
@bp.route("/cities/<int:city_id>/join-requests")
@login_required
def join_requests(city_id=None):
    """People asking to join a city: its coordinators (and the office) approve or decline."""
    people = services.list_join_requests(current_user, city_id)
    if city_id is None and current_user.city_id is not None:
        city_id = current_user.city_id
    city = services.get_city(current_user, city_id) if city_id is not None else None
    return render_template("account/join_requests.html", city=city, people=people)


@bp.route("/cities/<int:city_id>/join-requests/<int:user_id>/<any(approve, decline):decision>", methods=["POST"])
@login_required
def decide_join_request(city_id, user_id, decision):
    if EmptyForm().validate_on_submit():
        decide = services.approve_join_request if decision == "approve" else services.decline_join_request
        try:
            person = decide(current_user, city_id, user_id)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(
                _("%(name)s is now a member of your city.", name=person.name)
                if decision == "approve"
                else _("You declined %(name)s's request.", name=person.name),
                "success",
            )
    return redirect(safe_next_url(url_for("accounts.join_requests", city_id=city_id)))


@bp.route("/account/calendar", methods=["POST"])
@login_required
def reset_calendar_feed():
    """Create (or replace) the secret URL of my calendar feed; the old URL stops working."""
    if EmptyForm().validate_on_submit():
        plain = services.reset_calendar_token(current_user)
        feed_url = url_for("accounts.calendar_feed", token=plain, _external=True)
        flash(
            _("Your new calendar feed address is shown below. Keep it private; the old one no longer works."), "success"
        )
        return _account_page(new_feed_url=feed_url)
    return redirect(url_for("accounts.account"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    """Personal subscription feed: works without a session, at a secret URL."""
    user = services.user_for_calendar_token(token)
    if user is None:
        from ..core.errors import NotFound

        raise NotFound(_("Unknown calendar feed address (it may have been reset)."))
    # Calendar apps fetch the feed without the person's session or browser language: their own.
    with in_language(user_language(user)):
        return calendar_response(events_for(user), "action-lms.ics", name=f"ACTION LMS · {user.name}")


@bp.route("/account/data.json")
@login_required
def export_data():
    data = services.export_personal_data(current_user)
    return Response(
        json.dumps(data, indent=2, default=str),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-action-lms-data.json"},
    )


@bp.route("/account/erase", methods=["GET", "POST"])
@login_required
def erase():
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.erase_account(current_user._get_current_object())
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("accounts.account"))
        logout_user()
        session.clear()
        flash(_("Your account and personal data have been erased."), "info")
        return redirect(url_for("accounts.home"))
    return render_template("account/erase.html", form=form)


# ---------------------------------------------------------------- admin: cities


@bp.route("/admin/cities")
@login_required
def admin_cities():
    services.policy.require(current_user, "city.create")
    return render_template("admin/cities.html", cities=services.all_cities())


@bp.route("/admin/cities/new", methods=["GET", "POST"])
@bp.route("/admin/cities/<int:city_id>/edit", methods=["GET", "POST"])
@login_required
def admin_city_form(city_id=None):
    services.policy.require(current_user, "city.update" if city_id else "city.create")
    city = services.get_city(current_user, city_id) if city_id else None
    form = CityForm(obj=city)
    if request.method == "GET" and city is None:
        form.timezone.data = "Europe/Berlin"
    if form.validate_on_submit():
        data = {"name": form.name.data, "country": form.country.data, "timezone": form.timezone.data}
        try:
            if city:
                services.update_city(current_user, city.id, data)
            else:
                services.create_city(current_user, **data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("City %(name)s saved.", name=data["name"]), "success")
            return redirect(url_for("accounts.admin_cities"))
    return render_template("admin/city_form.html", form=form, city=city), 200 if request.method != "POST" else 422


# ---------------------------------------------------------------- admin: users


@bp.route("/admin/users")
@login_required
def admin_users():
    role = request.args.get("role") or None
    city_id = request.args.get("city_id", type=int)
    users = services.users_page(current_user, role, city_id, page=request.args.get("page", 1, type=int))
    return render_template(
        "admin/users.html",
        users=users,
        cities=services.all_cities(),
        roles=ROLES,
        role_filter=role,
        city_id=city_id,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def admin_user_form(user_id=None):
    services.policy.require(current_user, "user.update" if user_id else "user.create")
    user = services.get_user(current_user, user_id) if user_id else None
    form = UserForm(obj=user, cities=services.all_cities())
    if request.method == "GET" and user is None:
        form.timezone.data = "Europe/Brussels"
    if form.validate_on_submit():
        data = {
            "email": form.email.data,
            "name": form.name.data,
            "role": form.role.data,
            "city_id": form.city_id.data,
            "timezone": form.timezone.data,
        }
        try:
            if user:
                data["active"] = form.active.data
                if form.password.data:
                    data["password"] = form.password.data
                services.update_user(current_user, user.id, data)
            else:
                services.create_user(current_user, password=form.password.data or None, **data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            flash(_("User %(name)s saved.", name=data["name"]), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("admin/user_form.html", form=form, user=user), 200 if request.method != "POST" else 422
