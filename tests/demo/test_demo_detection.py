"""The demo shows detection end to end: alerts in the queue, the challenge alert's case, linked into the demo
incident (not a duplicate), with its metrics; and no alert in its queue on a count that the series' own last
week makes likely."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from rapidresponse import signals
from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.demo.seed import seed
from rapidresponse.detection import alerts, cases
from rapidresponse.detection.models import Alert, Case
from rapidresponse.incidents import work


def test_the_demo_fires_an_alert_opens_a_case_and_links_the_demo_incident(engine: Engine) -> None:
    report = seed(history_size=5)
    with unit_of_work(read_only=True) as s:
        challenge = s.execute(select(Alert).where(Alert.harm == "dangerous_challenge", Alert.country == "KZ",
                                                  Alert.state == "escalated")).scalars().all()
        assert challenge and challenge[0].observed > challenge[0].expected
        [case] = s.execute(select(Case)).scalars().all()
        assert case.status == "escalated" and case.alert_id == challenge[0].id
        assert cases.incident_ref(s, SYSTEM, case) == report.active_ref
        m = cases.metrics(case)
        assert m["time_to_detect_minutes"] is not None and m["time_to_declare_minutes"] is not None
        assert m["time_to_detect_minutes"] >= 0 and m["time_to_declare_minutes"] > 0
        kinds = [e.type for e in work.timeline(s, SYSTEM, report.active_ref)]
        assert "incident.case_linked" in kinds
        assert alerts.open_count(s, SYSTEM) >= 1  # the queue has something to triage

        # every crossing that raised or joined an alert is improbable under its series' last week
        bucket = timedelta(minutes=5)
        checked = 0
        for alert in s.execute(select(Alert)).scalars():
            key = (alert.harm, alert.country, alert.language)
            for crossing in alert.crossings:
                at = datetime.fromisoformat(crossing["bucket"])
                start = at - alerts.HISTORY_BUCKETS * bucket
                week = np.zeros(alerts.HISTORY_BUCKETS)
                for *_, b, count in signals.series_counts(s, start, at, [key]):
                    week[int((b - start) / bucket)] += count
                mean, var = (week.sum() + 0.5) / len(week), week.var()
                tail = alerts.upper_tail(int(crossing["observed"]), mean, var)
                assert tail < alerts.EVIDENCE_P, (key, crossing, mean, var, tail)
                checked += 1
        assert checked >= 1
