from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from rapidresponse import events, worker
from rapidresponse.db import unit_of_work


def test_worker_anchors_the_log_and_survives_a_failing_job(engine: Engine) -> None:
    with unit_of_work() as s:
        events.record(s, None, events.UnknownEvent(subject_id="1", stored_type="test.happened",
                                                   stored_subject_type="thing"))

    @worker.job("test.broken", every=0)
    def broken(session: Session) -> None:
        raise RuntimeError("boom")

    try:
        outcomes = worker.run_due(force=True)
    finally:
        del worker.JOBS["test.broken"]
    assert outcomes["test.broken"] == "error" and outcomes["events.anchor"] == "ok"
    with unit_of_work(read_only=True) as s:
        anchors = s.execute(select(events.Event).where(events.Event.stream == events.ANCHOR_STREAM)).scalars().all()
        assert [a.payload["heads"] for a in anchors] == [{"thing:1": [1, anchors[0].payload["heads"]["thing:1"][1]]}]
        assert events.verify(s).ok
