"""Typed answers read from the service's JSON: the job list's summaries."""

from __future__ import annotations

from deepfake_detection.client import JobPage, ResultSummary
from deepfake_detection.web.docs import examples


def test_a_job_page_holds_summaries_with_the_jobs_address() -> None:
    answer = examples()["GET /v1/jobs"]["200"]
    page = JobPage.from_json(answer)
    (job,) = page.jobs
    listed = answer["jobs"][0]
    assert (job.id, job.status, job.kind, job.finished) == (
        listed["id"],
        "succeeded",
        "video",
        True,
    )
    assert job.status_url == f"/v1/jobs/{job.id}"
    assert isinstance(job.summary, ResultSummary)
    assert job.summary.verdict == listed["summary"]["verdict"]
    assert job.summary.faces == len(examples()["GET /v1/jobs/{job_id}"]["200"]["result"]["persons"])
    assert job.created_at <= job.updated_at
    assert page.next_cursor is None


def test_an_older_services_list_reads_without_summaries() -> None:
    whole = examples()["GET /v1/jobs/{job_id}"]["200"]
    (job,) = JobPage.from_json({"jobs": [whole], "next_cursor": None}).jobs
    assert (job.id, job.summary, job.error_code) == (whole["id"], None, None)
    assert job.status_url == f"/v1/jobs/{whole['id']}"
