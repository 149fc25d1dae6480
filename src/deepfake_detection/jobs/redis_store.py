"""The Redis job store, for the Celery backend: the API and every worker, on any machine, share it.

A job is a hash ``{prefix}job:{id}``; the sorted set ``{prefix}jobs`` indexes them by creation time.
Status changes run as one Lua script each, so they are atomic across workers. A finished job's hash
holds its result's summary beside the result: listing jobs reads the summaries, never the results.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from deepfake_detection.jobs.job import (
    Job,
    JobError,
    JobStatus,
    JSONObject,
    Outcome,
    parse_kind,
    parse_status,
)
from deepfake_detection.jobs.summary import (
    JobSummary,
    ResultSummary,
    result_kind,
    summarize,
    summary_json,
)
from deepfake_detection.runtime.options import AnalysisOptions

# KEYS[1]: the job; ARGV[1]: allowed current statuses, comma-separated; ARGV[2]: 1 to count an
# attempt; ARGV[3:]: field, value pairs to set. Returns 1 when the change was made.
_TRANSITION = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if not string.find(',' .. ARGV[1] .. ',', ',' .. status .. ',', 1, true) then return 0 end
if ARGV[2] == '1' then redis.call('HINCRBY', KEYS[1], 'attempts', 1) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
"""
_ACTIVE = "queued,running"
_LISTED = (
    "status",
    "kind",
    "progress",
    "created_at",
    "updated_at",
    "attempts",
    "error_code",
    "error_message",
    "summary",
)


class RedisJobStore:
    """Implements ``JobStore`` on Redis (``redis_url``)."""

    def __init__(self, url: str, prefix: str = "dfd:") -> None:
        self._redis = redis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._transition = self._redis.register_script(_TRANSITION)

    def add(self, job: Job) -> None:
        mapping: Any = _fields(job)  # redis-py's Mapping type is invariant in its keys
        pipe = self._redis.pipeline()
        pipe.hset(self._key(job.id), mapping=mapping)
        pipe.zadd(self._index, {job.id: job.created_at})
        if job.owner is not None:
            pipe.zadd(self._owner_index(job.owner), {job.id: job.created_at})
        pipe.execute()

    def get(self, job_id: str) -> Job | None:
        data: dict[str, str] = self._redis.hgetall(self._key(job_id))  # type: ignore[assignment]
        return _job(job_id, data) if data else None

    def start(self, job_id: str) -> Job | None:
        changed = self._change(job_id, _ACTIVE, True, status="running", updated_at=time.time())
        return self.get(job_id) if changed else None

    def set_progress(self, job_id: str, progress: float) -> JobStatus | None:
        self._change(job_id, "running", False, progress=progress, updated_at=time.time())
        job = self.get(job_id)
        return None if job is None else job.status

    def finish(
        self,
        job_id: str,
        status: Outcome,
        result: JSONObject | None = None,
        error: JobError | None = None,
    ) -> Job | None:
        changes: dict[str, object] = {"status": status, "updated_at": time.time()}
        changes["progress"] = 1.0 if status == "succeeded" else 0.0
        if result is not None:
            changes["result"] = json.dumps(result)
            changes["summary"] = summary_json(result)
        if error is not None:
            changes["error_code"], changes["error_message"] = error.code, error.message
        return self.get(job_id) if self._change(job_id, _ACTIVE, False, **changes) else None

    def cancel(self, job_id: str) -> Job | None:
        self._change(job_id, _ACTIVE, False, status="cancelled", updated_at=time.time())
        return self.get(job_id)

    def delete(self, job_id: str) -> Job | None:
        job = self.get(job_id)
        pipe = self._redis.pipeline()
        pipe.delete(self._key(job_id))
        pipe.zrem(self._index, job_id)
        if job is not None and job.owner is not None:
            pipe.zrem(self._owner_index(job.owner), job_id)
        pipe.execute()
        return job

    def finished_before(self, timestamp: float) -> list[Job]:
        ids: list[str] = self._redis.zrangebyscore(self._index, "-inf", timestamp)  # type: ignore[assignment]
        jobs = [self.get(job_id) for job_id in ids]
        return [j for j in jobs if j is not None and j.finished and j.updated_at < timestamp]

    def requeue_running(self) -> list[str]:
        # Celery redelivers the jobs of a worker that died (acks_late): nothing to do here.
        return []

    def queued(self) -> list[str]:
        return []

    def list_jobs(
        self,
        owner: str | None,
        status: JobStatus | None,
        limit: int,
        before: tuple[float, str] | None = None,
    ) -> list[JobSummary]:
        index = self._index if owner is None else self._owner_index(owner)
        top: float | str = "+inf" if before is None else before[0]
        jobs: list[JobSummary] = []
        offset = 0
        while len(jobs) < limit:
            # Equal scores come in reverse order of the id, as the SQLite store sorts them.
            page: list[tuple[str, float]] = self._redis.zrevrangebyscore(  # type: ignore[assignment]
                index, top, "-inf", start=offset, num=100, withscores=True
            )
            if not page:
                break
            offset += len(page)
            ids = [i for i, created_at in page if before is None or (created_at, i) < before]
            for job in self._summaries(ids):
                if status in (None, job.status):
                    jobs.append(job)
                    if len(jobs) == limit:
                        break
        return jobs

    def _summaries(self, job_ids: list[str]) -> list[JobSummary]:
        """The jobs (those still there), their fields read in one round trip without results."""
        pipe = self._redis.pipeline()
        for job_id in job_ids:
            pipe.hmget(self._key(job_id), _LISTED)
        summaries = []
        for job_id, values in zip(job_ids, pipe.execute(), strict=True):
            data = {
                name: value
                for name, value in zip(_LISTED, values, strict=True)
                if value is not None
            }
            if not data:
                continue  # deleted meanwhile
            result = None
            if "summary" not in data and data["status"] == "succeeded":
                # Stored before summaries were: its result is read instead (and only then).
                stored: str | None = self._redis.hget(self._key(job_id), "result")  # type: ignore[assignment]
                result = None if stored is None else json.loads(stored)
            summaries.append(_summary(job_id, data, result))
        return summaries

    def _change(self, job_id: str, allowed: str, attempt: bool, **fields: object) -> bool:
        args: list[Any] = [allowed, "1" if attempt else "0"]
        for name, value in fields.items():
            args += [name, str(value)]
        return bool(self._transition(keys=[self._key(job_id)], args=args))

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

    def _owner_index(self, owner: str) -> str:
        return f"{self._prefix}owner:{owner}:jobs"

    @property
    def _index(self) -> str:
        return f"{self._prefix}jobs"


def _fields(job: Job) -> dict[str, str]:
    fields = {
        "status": job.status,
        "progress": str(job.progress),
        "options": job.options.to_json(),
        "upload_path": job.upload_path,
        "created_at": repr(job.created_at),
        "updated_at": repr(job.updated_at),
        "attempts": str(job.attempts),
    }
    if job.callback_url:
        fields["callback_url"] = job.callback_url
    if job.owner is not None:
        fields["owner"] = job.owner
    if job.kind is not None:
        fields["kind"] = job.kind
    return fields


def _job(job_id: str, data: dict[str, str]) -> Job:
    return Job(
        id=job_id,
        status=parse_status(data["status"]),
        progress=float(data.get("progress", 0.0)),
        options=AnalysisOptions.from_json(data["options"]),
        upload_path=data["upload_path"],
        callback_url=data.get("callback_url"),
        created_at=float(data["created_at"]),
        updated_at=float(data["updated_at"]),
        attempts=int(data.get("attempts", 0)),
        result=json.loads(data["result"]) if "result" in data else None,
        error=_error(data),
        owner=data.get("owner"),
        kind=parse_kind(data.get("kind")),
    )


def _summary(job_id: str, data: dict[str, str], result: JSONObject | None) -> JobSummary:
    """A job from its listed fields (``_LISTED``); ``result`` only for a job without a summary."""
    summary = data.get("summary")
    return JobSummary(
        id=job_id,
        status=parse_status(data["status"]),
        kind=parse_kind(data.get("kind")) or result_kind(result),
        progress=float(data.get("progress", 0.0)),
        created_at=float(data["created_at"]),
        updated_at=float(data["updated_at"]),
        attempts=int(data.get("attempts", 0)),
        error=_error(data),
        summary=summarize(result) if summary is None else ResultSummary.from_json(summary),
    )


def _error(data: dict[str, str]) -> JobError | None:
    if "error_code" not in data:
        return None
    return JobError(data["error_code"], data.get("error_message", ""))
