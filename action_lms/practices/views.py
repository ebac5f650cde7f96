"""HTML pages of the good-practice library: the library (search and filters), a practice's
page, the city's own practices, the form to describe or edit one, and the office's review
queue with its publish / send back / archive actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.errors import DomainError, Invalid
from ..core.forms import EmptyForm, apply_errors
from ..core.i18n import _
from ..plans.template import BY_KEY, COMMITMENTS, MILESTONES
from . import services
from .forms import EXTRA_LINK_ROWS, PracticeForm, SendBackForm
from .models import Practice
from .vocabulary import country_name, language_name

bp = Blueprint("practices", __name__)


@bp.app_template_filter("practices_language")
def _language_filter(code: str) -> str:
    return language_name(code)


@bp.app_template_filter("practices_country")
def _country_filter(code: str) -> str:
    return country_name(code)


def _vocabulary() -> dict:
    return {
        "commitments": COMMITMENTS,
        "milestones": MILESTONES,
        "milestone_titles": {k: m.title for k, m in BY_KEY.items()},
    }


# ---------------------------------------------------------------- the library


def _library_filters() -> dict:
    args = request.args
    return {
        "q": args.get("q", "").strip() or None,
        "commitment": args.get("commitment", type=int),
        "milestone": args.get("milestone") or None,
        "country": args.get("country") or None,
        "language": args.get("language") or None,
    }


@bp.route("/practices")
@login_required
def library():
    filters = _library_filters()
    status, problem, pagination = 200, None, None
    try:
        pagination = services.library_page(current_user, request.args.get("page", 1, type=int), **filters)
    except Invalid as exc:
        status, problem = 422, exc.message
    return render_template(
        "practices/library.html",
        pagination=pagination,
        items=pagination.items if pagination else [],
        filters=filters,
        searching=any(v is not None for v in filters.values()),
        problem=problem,
        options=services.filter_options(),
        can_create=services.can_create_practice(current_user),
        can_list_own=services.can_list_own_city(current_user),
        can_review=services.can_review_practices(current_user),
        queue_length=services.review_queue_length(current_user),
        **_vocabulary(),
    ), status


# ---------------------------------------------------------------- one practice


def _detail_page(practice: Practice, send_back_form=None, status: int = 200):
    can = {
        "edit": services.can_edit_practice(current_user, practice),
        "submit": services.can_submit_practice(current_user, practice),
        "review": services.can_review_practices(current_user),
        "ask": services.can_ask_for_exchange(current_user, practice),
    }
    return render_template(
        "practices/detail.html",
        practice=practice,
        can=can,
        send_back_form=send_back_form or SendBackForm(formdata=None, prefix=f"p{practice.id}"),
        **_vocabulary(),
    ), status


@bp.route("/practices/<int:practice_id>")
@login_required
def detail(practice_id):
    return _detail_page(services.get_practice(current_user, practice_id))


# ---------------------------------------------------------------- the city's own, the form


@bp.route("/practices/mine")
@login_required
def mine():
    practices = services.own_city_practices(current_user)
    return render_template(
        "practices/mine.html",
        practices=[(p, services.next_step(p), services.can_submit_practice(current_user, p)) for p in practices],
        can_create=services.can_create_practice(current_user),
    )


def _show_errors(form: PracticeForm, exc: DomainError) -> int:
    """A service refusal on the form: field messages in place (links on their row), the
    rest on top. Refusals that are not about the form (401, 403, 404) are raised."""
    if exc.code in (401, 403, 404):
        raise exc
    errors = dict(exc.errors or {}) if isinstance(exc, Invalid) else {}
    rows = form.filled_links()
    for key in [k for k in errors if k.startswith("links.")]:
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            field = getattr(rows[int(parts[1])].form, parts[2], None)
            if field is not None:
                field.errors = list(field.errors or []) + list(errors.pop(key))
    if errors or not isinstance(exc, Invalid):
        apply_errors(form, Invalid(exc.message, errors) if isinstance(exc, Invalid) else exc)
    return exc.code


def _render_form(form: PracticeForm, practice: Practice | None, status: int, contact_later: bool = False):
    return render_template(
        "practices/form.html", form=form, practice=practice, contact_later=contact_later, **_vocabulary()
    ), status


@bp.route("/practices/new", methods=["GET", "POST"])
@login_required
def new():
    services.policy.require(current_user, "practice.create")
    for_any_city = services.can_create_for_any_city(current_user)
    contacts = [] if for_any_city else services.contact_choices(current_user.city_id)
    form = PracticeForm(cities=services.cities_for_new(current_user), contacts=contacts)
    if not for_any_city:
        del form.city_id
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                practice = services.create_practice(
                    current_user, city_id=form.city_id.data if for_any_city else None, **form.values()
                )
            except DomainError as exc:
                status = _show_errors(form, exc)
            else:
                flash(_("The draft is saved. When it is ready, submit it to the ACTION office for review."), "success")
                return redirect(url_for("practices.detail", practice_id=practice.id))
    return _render_form(form, None, status, contact_later=for_any_city)


def _form_data(practice: Practice) -> dict:
    return {
        "title": practice.title,
        "summary": practice.summary,
        "description": practice.description,
        "problem": practice.problem or "",
        "actions": practice.actions or "",
        "resources": practice.resources or "",
        "results": practice.results or "",
        "transfer": practice.transfer or "",
        "commitments": practice.commitments,
        "milestone_keys": practice.milestone_keys,
        "languages": ", ".join(practice.languages),
        "links": list(practice.links or []),
        "contact_id": practice.contact_id,
        "started_year": practice.started_year,
        "featured_in": practice.featured_in or "",
    }


@bp.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(practice_id):
    practice = services.practice_to_edit(current_user, practice_id)
    contacts = services.contact_choices(practice.city_id)
    if request.method == "GET":
        form = PracticeForm(formdata=None, data=_form_data(practice), contacts=contacts)
        while len(form.links) < len(practice.links or []) + EXTRA_LINK_ROWS:
            form.links.append_entry()
        del form.city_id
        return _render_form(form, practice, 200)
    form = PracticeForm(contacts=contacts)
    del form.city_id
    status = 422
    if form.validate_on_submit():
        try:
            services.update_practice(current_user, practice.id, **form.values())
        except DomainError as exc:
            status = _show_errors(form, exc)
        else:
            flash(_("The practice is saved."), "success")
            return redirect(url_for("practices.detail", practice_id=practice.id))
    return _render_form(form, practice, status)


# ---------------------------------------------------------------- the workflow


_BACK = {"review": "practices.review", "mine": "practices.mine"}


def _back(practice_id: int):
    endpoint = _BACK.get(request.form.get("back", ""))
    return redirect(url_for(endpoint) if endpoint else url_for("practices.detail", practice_id=practice_id))


def _transition(practice_id: int, change, done: str):
    """A button of the workflow: make the change and go back where it was pressed; a refusal
    of the current state (409) is shown there as a message."""
    if EmptyForm().validate_on_submit():
        try:
            change(current_user, practice_id)
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            flash(exc.message, "error")
        else:
            flash(done, "success")
    else:
        flash(_("The form has expired. Please try again."), "error")
    return _back(practice_id)


@bp.route("/practices/<int:practice_id>/submit", methods=["POST"])
@login_required
def submit(practice_id):
    return _transition(
        practice_id,
        services.submit_practice,
        _("Submitted. The ACTION office reviews it and tells your city's coordinators when it is published."),
    )


@bp.route("/practices/<int:practice_id>/publish", methods=["POST"])
@login_required
def publish(practice_id):
    return _transition(
        practice_id, services.publish_practice, _("Published: the practice is in the library and the city is told.")
    )


@bp.route("/practices/<int:practice_id>/archive", methods=["POST"])
@login_required
def archive(practice_id):
    return _transition(practice_id, services.archive_practice, _("Archived: the practice has left the library."))


@bp.route("/practices/<int:practice_id>/send-back", methods=["POST"])
@login_required
def send_back(practice_id):
    form = SendBackForm(prefix=f"p{practice_id}")
    status = 422
    if form.validate_on_submit():
        try:
            services.send_back_practice(current_user, practice_id, form.comment.data)
        except DomainError as exc:
            if exc.code in (401, 403, 404):
                raise
            if exc.code == 409:  # someone decided first: nothing to correct on the form
                flash(exc.message, "error")
                return _back(practice_id)
            apply_errors(form, exc)
            status = exc.code
        else:
            flash(_("Sent back to the city as a draft, with your comment."), "success")
            return _back(practice_id)
    if request.form.get("back") == "review":
        return _review_page(failed_id=practice_id, failed_form=form, status=status)
    return _detail_page(services.get_practice(current_user, practice_id), send_back_form=form, status=status)


# ---------------------------------------------------------------- the office's queue


def _review_page(failed_id: int | None = None, failed_form=None, status: int = 200):
    queue = services.review_queue(current_user)
    forms = {
        p.id: failed_form
        if p.id == failed_id and failed_form is not None
        else SendBackForm(formdata=None, prefix=f"p{p.id}")
        for p in queue
    }
    return render_template("practices/review.html", queue=queue, forms=forms, **_vocabulary()), status


@bp.route("/practices/review")
@login_required
def review():
    return _review_page()
