"""HTML pages of the feedback domain: the person's "Your feedback" list, the answer form the
e-mail links to, and the impact report (with its chart and CSV) for the office and, for their
own city, coordinators. Every rule is the services'; these pages translate."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.csvfile import attachment_headers
from ..core.errors import Conflict, DomainError
from ..core.forms import apply_errors
from ..core.i18n import _, _l, format_day
from ..core.time import to_zone, utcnow
from ..core.web import viewer_timezone
from . import services
from .forms import USEFULNESS_CHOICES, WILL_APPLY_CHOICES, FeedbackForm

bp = Blueprint("feedback", __name__)

#: One event of a format, as a person's list names it.
KIND_NAMES = {
    "course": _l("Online course"),
    "webinar": _l("Webinar"),
    "consulting": _l("Consulting session"),
    "exchange": _l("Peer exchange"),
}
#: The word a title starts with when it already names its format ("Peer exchange: ...").
_TITLE_PREFIXES = {
    "course": "Course:",
    "webinar": "Webinar:",
    "consulting": "Consulting:",
    "exchange": "Peer exchange:",
}
YEARS_OFFERED = 5


@bp.app_template_filter("feedback_date")
def feedback_date(value) -> str:
    """A day in the viewer's zone, without a time (events are named by the day they ended)."""
    local = to_zone(value, viewer_timezone())
    return format_day(local, "%-d %b %Y") if local is not None else ""


@bp.app_template_filter("feedback_held")
def feedback_held(request_) -> str:
    """When the event the request is about took place: "Held on 3 Mar 2027" ("Completed" for a course)."""
    if request_.kind == "course":
        return _("Completed on %(date)s", date=feedback_date(request_.due_since))
    return _("Held on %(date)s", date=feedback_date(request_.due_since))


@bp.app_template_filter("feedback_kind")
def feedback_kind(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


@bp.app_template_filter("feedback_names_kind")
def feedback_names_kind(request_) -> bool:
    """True when the request's title already says which format it was."""
    prefix = _TITLE_PREFIXES.get(request_.kind)
    return prefix is not None and (request_.subject_title or "").startswith(prefix)


# ---------------------------------------------------------------- the person's list and the form


@bp.route("/feedback")
@login_required
def mine():
    data = services.my_feedback(current_user)
    return render_template(
        "feedback/mine.html",
        open_requests=data["open"],
        answered=data["answered"],
        usefulness_words=dict(USEFULNESS_CHOICES),
        will_apply_words=dict(WILL_APPLY_CHOICES),
    )


def _answered_page(feedback_request, status: int):
    return render_template(
        "feedback/answered.html", feedback_request=feedback_request, message=services.ANSWERED
    ), status


@bp.route("/feedback/<int:request_id>", methods=["GET", "POST"])
@login_required
def answer(request_id):
    feedback_request = services.get_request(current_user, request_id)  # someone else's: 404
    if feedback_request.answered_at is not None:
        return _answered_page(feedback_request, 409 if request.method == "POST" else 200)
    form = FeedbackForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.answer(
                    current_user,
                    feedback_request.id,
                    form.usefulness.data,
                    form.will_apply.data,
                    form.recommend_value(),
                    form.comment.data or None,
                )
            except Conflict:
                return _answered_page(services.get_request(current_user, request_id), 409)
            except DomainError as exc:
                if exc.code in (401, 403, 404):
                    raise
                apply_errors(form, exc)
                status = exc.code
            else:
                flash(_("Thank you: your feedback is saved. It helps the office plan next year's support."), "success")
                return redirect(url_for("feedback.mine"))
    return render_template("feedback/answer.html", form=form, feedback_request=feedback_request), status


# ---------------------------------------------------------------- the impact report


def _impact_args() -> dict:
    country = (request.args.get("country") or "").strip().upper() or None
    return {
        "year": request.args.get("year", type=int),
        "city_id": request.args.get("city_id", type=int),
        "country": country,
    }


def _ranked(rows: list[dict]) -> list[dict]:
    """Rated formats by rank, then the others in their usual order."""
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))


@bp.route("/impact")
@login_required
def impact():
    args = _impact_args()
    try:
        data = services.impact(current_user, **args)
    except DomainError as exc:
        if exc.code != 422:
            raise
        flash(" ".join([exc.message, *(m for ms in (exc.errors or {}).values() for m in ms)]), "error")
        return redirect(url_for("feedback.impact"))
    is_office = services.is_office(current_user)
    cities = []
    if is_office:
        from ..accounts.services import all_cities

        cities = all_cities()
    this_year = utcnow().year
    years = list(range(this_year, this_year - YEARS_OFFERED, -1))
    if data["year"] not in years:
        years = sorted({*years, data["year"]}, reverse=True)
    formats = _ranked(data["formats"])
    return render_template(
        "feedback/impact.html",
        data=data,
        args=args,
        formats=formats,
        labels={f["kind"]: f["label"] for f in data["formats"]},
        is_office=is_office,
        city_scope=data["city_scope"],
        cities=cities,
        countries=sorted({c.country for c in cities}),
        years=years,
        csv_args={k: v for k, v in {**args, "year": data["year"]}.items() if v is not None},
    )


@bp.route("/impact/recount", methods=["POST"])
@login_required
def recount_impact():
    """ "Count again now": this report's figures, now rather than at the next refresh."""
    args = _impact_args()
    services.recount_impact(current_user, **args)
    flash(_("The figures were counted again."), "success")
    return redirect(url_for("feedback.impact", **{k: v for k, v in args.items() if v is not None}))


@bp.route("/impact.csv")
@login_required
def impact_csv():
    data = services.impact(current_user, **_impact_args())
    return Response(
        services.impact_csv(data), mimetype="text/csv", headers=attachment_headers(f"impact-{data['year']}.csv")
    )
