"""What a request is counted (``/metrics``) and logged under, from a fixed set whatever it carries.

- The method: one of the standard ones, else ``other`` (any token is a valid HTTP method name).
- The route: its template (``/v1/jobs/{job_id}``, never the path), else ``unmatched``. A request
  a middleware refuses before routing (a missing key, a rate limit, a body too large, too many
  uploads) is labelled with the route it was aimed at, matched here against the app's routes.
- The status: the number answered.
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED = "unmatched"


def method_label(scope: Scope) -> str:
    method = scope["method"]
    return method if method in METHODS else OTHER_METHOD


def route_template(scope: Scope) -> str:
    """The template of the route that answered the request, or of the one it was aimed at."""
    path = getattr(scope.get("route"), "path", None)
    if not isinstance(path, str):
        path = _aimed_at(scope)
    return UNMATCHED if path is None else path


def _aimed_at(scope: Scope) -> str | None:
    """The template of the route the router would pick: the first full match, else the first that
    matches the path but not the method (answered 405)."""
    app = scope.get("app")
    if app is None:
        return None
    # The routes of included routers, with their prefixes: app.routes holds the routers.
    partial = None
    for route in iter_route_contexts(app.routes):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(route.path)
        if match is Match.PARTIAL and partial is None:
            partial = str(route.path)
    return partial
