"""What the application counts itself: response rates per role, and the hard indicators of a
cycle's school year."""

from __future__ import annotations

from django.db.models import Count, Q

from evaluations.models import EvaluationCycle, Indicator
from werkplaats.models import Membership, Role, school_year_bounds


def response_rates(cycle: EvaluationCycle) -> list[dict]:
    """Invited, responded (submitted) and rate per role, in role order; one query."""
    rows = {
        row["role"]: row
        for row in cycle.invitations.values("role")
        .annotate(
            invited=Count("pk"),
            responded=Count("response", filter=Q(response__submitted_at__isnull=False)),
        )
        .order_by()
    }
    result = []
    for role in Role:
        row = rows.get(role.value)
        if row:
            result.append(
                {
                    "role": role,
                    "invited": row["invited"],
                    "responded": row["responded"],
                    "rate": round(100 * row["responded"] / row["invited"]),
                }
            )
    return result


def total_rate(rates: list[dict]) -> dict:
    invited = sum(r["invited"] for r in rates)
    responded = sum(r["responded"] for r in rates)
    return {
        "invited": invited,
        "responded": responded,
        "rate": round(100 * responded / invited) if invited else 0,
    }


def counted_indicators(cycle: EvaluationCycle) -> dict[str, int]:
    """What the application can count itself for the cycle's school year: distinct students
    and clients who were members at some time in that year, and the outputs of the PW's
    practice cases dated in it (graduation work, publications, changes taken into the policy
    plan), and their value-creation stories that happened in it (all, and those of realised
    value). Three queries."""
    from cases.models import ValueCycle
    from cases.services import output_counts, value_story_counts

    start, end = school_year_bounds(cycle.school_year)
    in_year = Membership.objects.during(start, end).filter(workplace=cycle.workplace_id)
    counts = in_year.aggregate(
        students=Count("person", distinct=True, filter=Q(role=Role.STUDENT)),
        clients=Count("person", distinct=True, filter=Q(role=Role.CLIENT)),
    )
    outputs = output_counts(workplace=cycle.workplace, school_year=cycle.school_year)
    stories = value_story_counts(workplace=cycle.workplace, school_year=cycle.school_year)
    return {
        Indicator.STUDENTS: counts["students"],
        Indicator.CLIENTS: counts["clients"],
        Indicator.GRADUATION: outputs["graduation_assignments"],
        Indicator.PUBLICATIONS: outputs["publications"],
        Indicator.POLICY_PLAN: outputs["policy_plan"],
        Indicator.VALUE_STORIES: stories["total"],
        Indicator.REALISED_VALUE: stories["per_kind"][ValueCycle.REALISED],
    }
