"""WTForms for the feedback pages. Shape checks only (an answer was chosen, the comment's
length); the ranges and the "once only" rule live in services.answer, which names the field."""

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.i18n import _l
from .models import FeedbackAnswer

USEFULNESS_CHOICES = [
    (1, _l("Not useful")),
    (2, _l("A little useful")),
    (3, _l("Fairly useful")),
    (4, _l("Useful")),
    (5, _l("Very useful")),
]
WILL_APPLY_CHOICES = [
    (1, _l("Unlikely")),
    (2, _l("Not very likely")),
    (3, _l("Possibly")),
    (4, _l("Likely")),
    (5, _l("Very likely")),
]
RECOMMEND_CHOICES = [("yes", _l("Yes")), ("no", _l("No"))]


def _number_or_none(value):
    """What the radio sent as a number; anything else as None, for the service to refuse by name."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class FeedbackForm(FlaskForm):
    usefulness = RadioField(
        _l("How useful was this for your city's action plan?"),
        choices=USEFULNESS_CHOICES,
        coerce=_number_or_none,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose how useful it was, from 1 (not useful) to 5 (very useful)."))],
        description=_l("1 = not useful, 5 = very useful."),
    )
    will_apply = RadioField(
        _l("How likely are you to apply something from it within six months?"),
        choices=WILL_APPLY_CHOICES,
        coerce=_number_or_none,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose how likely you are to apply something, from 1 to 5."))],
        description=_l("1 = unlikely, 5 = very likely."),
    )
    recommend = RadioField(
        _l("Would you recommend it to another city?"),
        choices=RECOMMEND_CHOICES,
        validate_choice=False,
        validators=[InputRequired(message=_l("Say yes or no."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=FeedbackAnswer.MAX_COMMENT)],
        description=_l("What worked, what was missing, what you would change. Shown to the office without your name."),
    )

    def recommend_value(self) -> bool | None:
        """Yes/no as the service takes it; anything else as None (the service says "Say yes or no.")."""
        return {"yes": True, "no": False}.get(self.recommend.data or "")
