"""The coalition's shared vocabulary: the ten commitments of the Ten-Point Plan of Action,
and the milestone template every city plan starts from (keys and order from DOMAIN.md).

This is the one place the milestones are defined: the plans domain builds plans from
it and serves it at /api/v1/milestone-templates; courses validate lesson tags and
consulting validates a booking's milestone against its keys.
"""

from __future__ import annotations

from dataclasses import dataclass

# The ten commitments (short titles), used as tags on lessons, plans and consultants' expertise.
COMMITMENTS: dict[int, str] = {
    1: "Greater vigilance against racism",
    2: "Assessing racism and discrimination and monitoring municipal policies",
    3: "Better support for victims of racism and discrimination",
    4: "More participation and better informed city dwellers",
    5: "The city as an active supporter of equal-opportunity practices",
    6: "The city as an equal-opportunities employer and service provider",
    7: "Fair access to housing",
    8: "Challenging racism and discrimination through education",
    9: "Promoting cultural diversity",
    10: "Hate crimes and conflict management",
}


@dataclass(frozen=True)
class MilestoneTemplate:
    key: str
    title: str
    description: str
    phase: str


MILESTONES: tuple[MilestoneTemplate, ...] = (
    MilestoneTemplate(
        "political_mandate",
        "Political mandate",
        "The mayor or the council has formally mandated the administration to draft a local action plan.",
        "Preparation",
    ),
    MilestoneTemplate(
        "coordination_team",
        "Coordination team",
        "A responsible unit leads the work and a cross-department working group meets regularly.",
        "Preparation",
    ),
    MilestoneTemplate(
        "baseline_assessment",
        "Baseline assessment",
        "Data on racism and discrimination in the city is collected and existing measures are mapped.",
        "Analysis",
    ),
    MilestoneTemplate(
        "stakeholder_consultation",
        "Stakeholder consultation",
        "Civil society and affected communities have been consulted in a participatory process, and their input is documented.",
        "Analysis",
    ),
    MilestoneTemplate(
        "priorities_and_indicators",
        "Priorities and indicators",
        "The commitments to act on are chosen, with objectives and indicators for each.",
        "Drafting",
    ),
    MilestoneTemplate(
        "draft_plan",
        "Draft plan",
        "Measures are written down with an owner, a budget and a timeline for each.",
        "Drafting",
    ),
    MilestoneTemplate("adoption", "Adoption", "The council has adopted the plan and it is published.", "Adoption"),
    MilestoneTemplate("implementation", "Implementation", "The measures of the plan are under way.", "Implementation"),
    MilestoneTemplate(
        "monitoring_and_reporting",
        "Monitoring and reporting",
        "Progress is monitored, evaluated and reported to the coalition.",
        "Implementation",
    ),
)

MILESTONE_KEYS: tuple[str, ...] = tuple(m.key for m in MILESTONES)
BY_KEY: dict[str, MilestoneTemplate] = {m.key: m for m in MILESTONES}


def is_milestone_key(key: str | None) -> bool:
    return key in BY_KEY
