"""When and how long to wait before trying an eMAG call again.

Kept apart from the client so the schedule can be tested without a server or a clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# 429: over the budget (shared with any other tool using the same login); 5xx: eMAG has
# runs of these on one account while the other works, and they usually pass.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Bounded attempts with exponential backoff and jitter.

    Equal jitter (half fixed, half random) keeps a floor under each wait, so a throttled
    client never hammers the server with near-zero pauses, while the random half stops
    several clients from retrying in lockstep.
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 20.0
    # eMAG's tightest window is one second: retrying a 429 sooner only spends more budget.
    throttled_floor: float = 1.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")

    def should_retry_status(self, status: int) -> bool:
        return status in RETRY_STATUSES

    def delay(self, attempt: int, *, throttled: bool = False) -> float:
        """Seconds to wait after failed attempt number `attempt` (counting from 1);
        `throttled` when eMAG answered 429."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        return max(delay, self.throttled_floor) if throttled else delay
