"""Queries shipped with the product: examples of the questions teams ask most, to run or copy."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    description: str
    sql: str
    parameters: tuple[tuple[str, str | int], ...] = ()


STARTERS: tuple[Starter, ...] = (
    Starter("challenges_by_country", N_("Challenges by country, last 90 days"),
            N_("Dangerous-challenge incidents declared in the last 90 days, per country."),
            "SELECT t.value AS country, count(*) AS incidents\n"
            "FROM incidents i JOIN incident_tags t ON t.ref = i.ref AND t.kind = 'country'\n"
            "WHERE i.type = 'dangerous_challenge' AND i.declared_at >= now()::TIMESTAMP - INTERVAL 90 DAY\n"
            "GROUP BY 1 ORDER BY 2 DESC"),
    Starter("time_to_mitigate_by_harm", N_("Time to mitigate by harm"),
            N_("Median and 90th percentile of hours from declaration to mitigation, per harm category."),
            "SELECT harm, count(*) AS incidents,\n"
            "       round(median(date_diff('minute', declared_at, mitigated_at)) / 60, 1) AS median_hours,\n"
            "       round(quantile_cont(date_diff('minute', declared_at, mitigated_at), 0.9) / 60, 1) AS p90_hours\n"
            "FROM incidents WHERE mitigated_at IS NOT NULL\n"
            "GROUP BY harm ORDER BY median_hours DESC"),
    Starter("regulator_deadlines_missed", N_("Regulator deadlines missed"),
            N_("Requests answered after their legal deadline, or not answered by it."),
            "SELECT request_id, ref, country, regulator, registered_at, due_at, answered_at, breached_at\n"
            "FROM requests WHERE met = false ORDER BY due_at DESC"),
    Starter("signals_by_day", N_("Signals per day for a harm"),
            N_("Daily signal counts for one harm (a parameter), by country, last 30 days."),
            "SELECT date_trunc('day', occurred_at) AS day, country, count(*) AS signals\n"
            "FROM signals WHERE harm = $harm AND occurred_at >= now()::TIMESTAMP - INTERVAL 30 DAY\n"
            "GROUP BY ALL ORDER BY day, signals DESC", (("harm", "dangerous_challenge"),)),
    Starter("oncall_load", N_("On-call load per person"),
            N_("Pages per person in the last 90 days, out of hours and at weekends."),
            "SELECT username, count(*) AS pages, count(*) FILTER (WHERE out_of_hours) AS out_of_hours,\n"
            "       count(*) FILTER (WHERE weekend) AS weekend\n"
            "FROM page_notifications WHERE notified_at >= now()::TIMESTAMP - INTERVAL 90 DAY\n"
            "GROUP BY username ORDER BY pages DESC"),
    Starter("recurring_harms", N_("Where harms come back"),
            N_("Incidents that recur an earlier reviewed one, per harm and country."),
            "SELECT harm, country, count(*) AS recurrences, string_agg(ref, ', ') AS incidents\n"
            "FROM incidents WHERE recurrence_of IS NOT NULL GROUP BY ALL ORDER BY recurrences DESC"),
    Starter("open_action_items", N_("Open action items by kind"),
            N_("Action items from reviews not yet done, per kind, with how many have gone overdue."),
            "SELECT kind, count(*) AS open_items, count(*) FILTER (WHERE overdue) AS overdue\n"
            "FROM action_items WHERE status IN ('open', 'in_progress') GROUP BY kind ORDER BY open_items DESC"),
)
BY_KEY = {s.key: s for s in STARTERS}
