"""``dfd keys create|list|revoke``: the API keys of the service (``DFD_AUTH=keys``), in the store
the service reads: ``DFD_DATA_DIR`` (embedded set-up) or ``DFD_REDIS_URL`` (Celery set-up). Each
action names that store on stderr, so a key written to or looked for in the wrong one shows."""

from __future__ import annotations

import argparse
import json
import time

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.config import get_settings, legacy_data_dir_hint
from deepfake_detection.keys.base import create_key_store
from deepfake_detection.keys.key import ApiKey


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new key, printed once")
    create.add_argument("--name", required=True, help="who the key is for (unique)")
    create.add_argument(
        "--rate-limit", help="requests, e.g. 10/second (default: DFD_KEY_RATE_LIMIT)"
    )
    create.add_argument(
        "--daily-frames",
        type=int,
        help="frames analysed per day, an image is one (default: DFD_KEY_DAILY_FRAMES)",
    )
    create.add_argument("--json", action="store_true", help='print {"name": ..., "key": ...}')
    listing = actions.add_parser("list", help="every key (never the secrets)")
    listing.add_argument("--json", action="store_true", help="one JSON object per key")
    revoke = actions.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("name")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    settings = get_settings()
    if hint := legacy_data_dir_hint(settings.data_dir):
        print(f"dfd keys: warning: {hint}", file=env.stderr)
    store = create_key_store(settings)
    if args.action == "create":
        key, secret = store.create(args.name, args.rate_limit, args.daily_frames)
        if args.json:
            print(json.dumps({"name": key.name, "key": secret}), file=env.stdout)
        else:
            print(secret, file=env.stdout)
        print(
            f"dfd keys: created {key.name!r} in {store.where}; the key is shown this once",
            file=env.stderr,
        )
    elif args.action == "list":
        keys = store.list()
        for key in keys:
            print(json.dumps(_record(key)) if args.json else _row(key), file=env.stdout)
        print(f"dfd keys: {_count(len(keys))} in {store.where}", file=env.stderr)
    else:
        key = store.revoke(args.name)
        print(f"dfd keys: revoked {key.name!r} in {store.where}", file=env.stderr)
    return ExitStatus.OK


def _count(keys: int) -> str:
    return {0: "no keys", 1: "1 key"}.get(keys, f"{keys} keys")


def _record(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "created_at": key.created_at,
        "rate_limit": key.rate_limit,
        "daily_frames": key.daily_frames,
        "revoked": key.revoked,
    }


def _row(key: ApiKey) -> str:
    created = time.strftime("%Y-%m-%d %H:%M", time.gmtime(key.created_at))
    state = "revoked" if key.revoked else "active"
    limits = f"rate {key.rate_limit or 'default'}, frames/day {key.daily_frames or 'default'}"
    return f"{key.name:24} {state:8} created {created} UTC  {limits}"
