"""The Redis job store, for the Celery backend: the API and every worker, on any machine, share it.

A job is a hash ``{prefix}job:{id}``; the sorted set ``{prefix}jobs`` indexes them by creation time.
Status changes run as one Lua script each, so they are atomic across workers.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

import redis

from deepfake_detection.jobs.job import Job, JobError, JobStatus, JSONObject
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
        status: Literal["succeeded", "failed"],
        result: JSONObject | None = None,
        error: JobError | None = None,
    ) -> Job | None:
        changes: dict[str, object] = {"status": status, "updated_at": time.time()}
        changes["progress"] = 1.0 if status == "succeeded" else 0.0
        if result is not None:
            changes["result"] = json.dumps(result)
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

    def _change(self, job_id: str, allowed: str, attempt: bool, **fields: object) -> bool:
        args: list[Any] = [allowed, "1" if attempt else "0"]
        for name, value in fields.items():
            args += [name, str(value)]
        return bool(self._transition(keys=[self._key(job_id)], args=args))

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

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
    return fields


def _job(job_id: str, data: dict[str, str]) -> Job:
    status = data["status"]
    if status not in ("queued", "running", "succeeded", "failed", "cancelled"):
        raise ValueError(f"unknown job status {status!r} in the store")
    error = None
    if "error_code" in data:
        error = JobError(data["error_code"], data.get("error_message", ""))
    return Job(
        id=job_id,
        status=status,  # type: ignore[arg-type]
        progress=float(data.get("progress", 0.0)),
        options=AnalysisOptions.from_json(data["options"]),
        upload_path=data["upload_path"],
        callback_url=data.get("callback_url"),
        created_at=float(data["created_at"]),
        updated_at=float(data["updated_at"]),
        attempts=int(data.get("attempts", 0)),
        result=json.loads(data["result"]) if "result" in data else None,
        error=error,
    )
