"""The one message-size guard: every message stockbot sends goes through it (digest
parts, analyses, alerts, bulk, summary, App Home, modals, every respond()).

Slack documents at most 50 blocks (100 in a view) and 3,000 characters per text. It also
refuses a message whose blocks are too long *in total* (`msg_blocks_too_long`, not in
the docs): about 9,600 characters of text / 15,500 of blocks JSON were accepted, about
11,300 / 17,700 refused (slackapi/bolt-js#2867, ../shared/spec/slack.md). So a message
holds at most 10,000 characters of text and 15,000 of blocks JSON, the JSON measured as
slack_sdk sends it. Longer content is split into several messages (the digest, `split`)
or cut with "and N more" (answers, `fit`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import _
from handlers.blocks.kit import MAX_TEXT, Block, clip, context, section

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TOTAL_TEXT = 10_000
MAX_BLOCKS_JSON = 15_000
# The largest "and N more" line, reserved before cutting.
_MORE_RESERVE = 12


@dataclass(frozen=True)
class Budget:
    blocks: int = MAX_BLOCKS
    text: int = MAX_TOTAL_TEXT
    json: int = MAX_BLOCKS_JSON

    def less(self, text: int, json: int) -> Budget:
        """This budget with room kept free (e.g. for a later edit of the message)."""
        return Budget(self.blocks, self.text - text, self.json - json)


MESSAGE = Budget()
VIEW = Budget(blocks=MAX_VIEW_BLOCKS)


def text_length(node: Any) -> int:
    """Characters of text in a block tree: every `text` string, as bolt-js#2867 counts."""
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        nested = (value for value in node.values() if not isinstance(value, str))
        return own + sum(text_length(value) for value in nested)
    if isinstance(node, list):
        return sum(text_length(item) for item in node)
    return 0


def json_length(blocks: Sequence[Block]) -> int:
    """Characters of `blocks` as JSON, as slack_sdk encodes them for the request."""
    return len(json.dumps(list(blocks)))


def problems(blocks: Sequence[Block], budget: Budget = MESSAGE) -> list[str]:
    """What breaks the limits in `blocks`; [] when they are within them."""
    found = []
    if len(blocks) > budget.blocks:
        found.append(f"{len(blocks)} blocks, more than {budget.blocks}")
    texts = text_length(list(blocks))
    if texts > budget.text:
        found.append(f"{texts} characters of text, more than {budget.text}")
    size = json_length(blocks)
    if size > budget.json:
        found.append(f"{size} characters of blocks JSON, more than {budget.json}")
    return found


def within_limits(blocks: Sequence[Block], budget: Budget = MESSAGE) -> bool:
    return not problems(blocks, budget)


_EMPTY_SECTION = len(json.dumps(section("x"))) - len(json.dumps("x"))


def _json_chars(text: str) -> int:
    return len(json.dumps(text)) - 2


class _Packer:
    """Blocks and lines taken in order while they fit; consecutive lines share sections
    of up to 3,000 characters. Sizes are kept as running totals, never re-measured."""

    def __init__(self, budget: Budget, fixed: Sequence[Block]) -> None:
        self.budget = budget
        self.blocks: list[Block] = list(fixed)
        self.texts = text_length(self.blocks)
        self.json = sum(json_length([block]) for block in self.blocks)
        self.lines: list[str] | None = None  # the open section's lines

    def _fits(self, count: int, texts: int, size: int, reserve: tuple[int, int, int]) -> bool:
        blocks, more_text, more_json = reserve
        count += blocks
        total_json = size + more_json + 2 * max(0, count - 1) + 2
        return (
            count <= self.budget.blocks
            and texts + more_text <= self.budget.text
            and total_json <= self.budget.json
        )

    def _count(self) -> int:
        return len(self.blocks) + (self.lines is not None)

    def add_block(self, block: Block, reserve: tuple[int, int, int] = (0, 0, 0)) -> bool:
        texts, size = text_length(block), json_length([block])
        if not self._fits(self._count() + 1, self.texts + texts, self.json + size, reserve):
            return False
        self._close()
        self.blocks.append(block)
        self.texts, self.json = self.texts + texts, self.json + size
        return True

    def add_line(self, line: str, reserve: tuple[int, int, int] = (0, 0, 0)) -> bool:
        line = clip(line, MAX_TEXT - 1)
        texts, size = len(line), _json_chars(line)
        lines = self.lines
        if lines is not None and sum(map(len, lines)) + len(lines) + texts <= MAX_TEXT:
            # One more line in the open section: its text and a "\n" (2 characters in JSON).
            if not self._fits(self._count(), self.texts + texts + 1, self.json + size + 2, reserve):
                return False
            lines.append(line)
            self.texts, self.json = self.texts + texts + 1, self.json + size + 2
            return True
        size += _EMPTY_SECTION
        if not self._fits(self._count() + 1, self.texts + texts, self.json + size, reserve):
            return False
        self._close()
        self.lines = [line]
        self.texts, self.json = self.texts + texts, self.json + size
        return True

    def add(self, item: Block | str, reserve: tuple[int, int, int] = (0, 0, 0)) -> bool:
        if isinstance(item, str):
            return self.add_line(item, reserve)
        return self.add_block(item, reserve)

    def _close(self) -> None:
        if self.lines is not None:
            self.blocks.append(section("\n".join(self.lines)))
            self.lines = None

    def result(self) -> list[Block]:
        self._close()
        return self.blocks


def _cost(blocks: Sequence[Block]) -> tuple[int, int, int]:
    return len(blocks), text_length(list(blocks)), sum(json_length([b]) for b in blocks)


def fit(
    head: Sequence[Block],
    items: Sequence[Block | str] = (),
    tail: Sequence[Block] = (),
    budget: Budget = MESSAGE,
    more: str | None = None,
) -> list[Block]:
    """`head`, as many `items` as fit (a block each, or lines packed into sections),
    then `tail`; what does not fit is counted in one "and N more" line."""
    more = more or _("and {n} more")
    tail_cost = _cost(tail)
    packer = _Packer(budget, head)
    if all(packer.add(item, tail_cost) for item in items):
        return packer.result() + list(tail)
    line = context(more.format(n=len(items)) + " " * _MORE_RESERVE)
    reserve = tuple(a + b for a, b in zip(tail_cost, _cost([line]), strict=True))
    packer = _Packer(budget, head)
    kept = 0
    for item in items:
        if not packer.add(item, reserve):  # type: ignore[arg-type]
            break
        kept += 1
    return [*packer.result(), context(more.format(n=len(items) - kept)), *tail]


def fits_all(
    head: Sequence[Block],
    items: Sequence[Block | str],
    tail: Sequence[Block] = (),
    budget: Budget = MESSAGE,
) -> bool:
    """Whether `fit` would keep every item."""
    packer = _Packer(budget, head)
    tail_cost = _cost(tail)
    return all(packer.add(item, tail_cost) for item in items)


def split(
    items: Sequence[Block | str],
    lead: Callable[[int], list[Block]],
    budget: Budget = MESSAGE,
) -> list[list[Block]]:
    """`items` over as many messages as they need, message i starting with `lead(i)`;
    `lead` must not grow with i beyond what lead(0) and lead(1) take (e.g. part numbers)."""
    parts: list[list[Block]] = []
    index = 0
    while index < len(items) or not parts:
        packer = _Packer(budget, lead(len(parts)))
        start = index
        while index < len(items) and packer.add(items[index]):
            index += 1
        if index == start and index < len(items):
            raise ValueError(f"item {index} does not fit in an empty message")
        parts.append(packer.result())
    return parts


def guard(message: dict[str, Any], budget: Budget = MESSAGE) -> dict[str, Any]:
    """A message (`text`, `blocks`, anything else) made to fit before it is sent: the
    fallback text clipped, blocks beyond the limits cut with "and N more"."""
    guarded = dict(message)
    if isinstance(guarded.get("text"), str):
        guarded["text"] = clip(guarded["text"], MAX_TEXT)
    blocks = guarded.get("blocks")
    if blocks and not within_limits(blocks, budget):
        guarded["blocks"] = fit([], blocks, budget=budget)
    return guarded


def guard_view(view: dict[str, Any]) -> dict[str, Any]:
    """A modal or Home view whose blocks fit a view's limits."""
    blocks = view.get("blocks") or []
    if within_limits(blocks, VIEW):
        return view
    return {**view, "blocks": fit([], blocks, budget=VIEW)}
