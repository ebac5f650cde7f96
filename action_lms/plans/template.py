"""The coalition's shared vocabulary: the ten commitments of the Ten-Point Plan of Action,
and the milestone template every city plan starts from (keys and order from DOMAIN.md).

This is the one place the milestones are defined: the plans domain builds plans from
it and serves it at /api/v1/milestone-templates; courses validate lesson tags and
consulting validates a booking's milestone against its keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.i18n import _l

# The ten commitments (short titles), used as tags on lessons, plans and consultants' expertise.
# Titles are lazy (`_l`): they are read in the reader's language wherever they are shown.
COMMITMENTS: dict[int, Any] = {
    1: _l("Greater vigilance against racism"),
    2: _l("Assessing racism and discrimination and monitoring municipal policies"),
    3: _l("Better support for victims of racism and discrimination"),
    4: _l("More participation and better informed city dwellers"),
    5: _l("The city as an active supporter of equal-opportunity practices"),
    6: _l("The city as an equal-opportunities employer and service provider"),
    7: _l("Fair access to housing"),
    8: _l("Challenging racism and discrimination through education"),
    9: _l("Promoting cultural diversity"),
    10: _l("Hate crimes and conflict management"),
}


#: The phases of plan development. A milestone's `phase` is the key (English, as the API and
#: the overview's filter name it); what people read is its label, in their language.
PHASE_LABELS: dict[str, Any] = {
    "Preparation": _l("Preparation"),
    "Analysis": _l("Analysis"),
    "Drafting": _l("Drafting"),
    "Adoption": _l("Adoption"),
    "Implementation": _l("Implementation"),
}


@dataclass(frozen=True)
class MilestoneTemplate:
    """`title` and `description` are lazy strings (`_l`), read in the reader's language;
    `key` and `phase` are keys."""

    key: str
    title: Any
    description: Any
    phase: str

    @property
    def phase_label(self) -> str:
        return str(PHASE_LABELS.get(self.phase, self.phase))


MILESTONES: tuple[MilestoneTemplate, ...] = (
    MilestoneTemplate(
        "political_mandate",
        _l("Political mandate"),
        _l("The mayor or the council has formally mandated the administration to draft a local action plan."),
        "Preparation",
    ),
    MilestoneTemplate(
        "coordination_team",
        _l("Coordination team"),
        _l("A responsible unit leads the work and a cross-department working group meets regularly."),
        "Preparation",
    ),
    MilestoneTemplate(
        "baseline_assessment",
        _l("Baseline assessment"),
        _l("Data on racism and discrimination in the city is collected and existing measures are mapped."),
        "Analysis",
    ),
    MilestoneTemplate(
        "stakeholder_consultation",
        _l("Stakeholder consultation"),
        _l(
            "Civil society and affected communities have been consulted in a participatory process, "
            "and their input is documented."
        ),
        "Analysis",
    ),
    MilestoneTemplate(
        "priorities_and_indicators",
        _l("Priorities and indicators"),
        _l("The commitments to act on are chosen, with objectives and indicators for each."),
        "Drafting",
    ),
    MilestoneTemplate(
        "draft_plan",
        _l("Draft plan"),
        _l("Measures are written down with an owner, a budget and a timeline for each."),
        "Drafting",
    ),
    MilestoneTemplate(
        "adoption", _l("Adoption"), _l("The council has adopted the plan and it is published."), "Adoption"
    ),
    MilestoneTemplate(
        "implementation", _l("Implementation"), _l("The measures of the plan are under way."), "Implementation"
    ),
    MilestoneTemplate(
        "monitoring_and_reporting",
        _l("Monitoring and reporting"),
        _l("Progress is monitored, evaluated and reported to the coalition."),
        "Implementation",
    ),
)

MILESTONE_KEYS: tuple[str, ...] = tuple(m.key for m in MILESTONES)
BY_KEY: dict[str, MilestoneTemplate] = {m.key: m for m in MILESTONES}


def is_milestone_key(key: str | None) -> bool:
    return key in BY_KEY
