"""A real HTTP receiver on 127.0.0.1 for webhook tests."""

import threading
from dataclasses import dataclass, field


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)
    """Statuses to answer, in order; 200 once they are used up."""
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
