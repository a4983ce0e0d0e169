"""The Block Kit limits Slack enforces, checked the way Slack checks them.

Slack refuses a message or view that breaks these with `invalid_blocks` (messages) or
`invalid_arguments` (views) and a list of pointers to what was wrong. A stand-in that
accepted anything would let a 51-block analysis or a 2001-character button value pass the
tests and fail in the workspace, so the limits the spec relies on are checked here.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ID_MAX = 255
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10


def _text(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def _element_errors(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"missing required field: type [json-pointer:{at}]"]
    errors = []
    if len(str(element.get("action_id", ""))) > ID_MAX:
        errors.append(f"must be at most {ID_MAX} characters [json-pointer:{at}/action_id]")
    if element["type"] == "button":
        if len(_text(element.get("text"))) > BUTTON_TEXT_MAX:
            errors.append(
                f"must be at most {BUTTON_TEXT_MAX} characters [json-pointer:{at}/text/text]"
            )
        if len(str(element.get("value", ""))) > BUTTON_VALUE_MAX:
            errors.append(
                f"must be at most {BUTTON_VALUE_MAX} characters [json-pointer:{at}/value]"
            )
    return errors


def _empty_text_errors(block: dict[str, Any], at: str) -> list[str]:
    """Slack refuses text objects with no text."""
    errors = []
    if "text" in block and not _text(block.get("text")):
        errors.append(f"must be more than 0 characters [json-pointer:{at}/text/text]")
    for i, field in enumerate(block.get("fields") or []):
        if not _text(field):
            errors.append(f"must be more than 0 characters [json-pointer:{at}/fields/{i}/text]")
    if block.get("type") == "context":
        for i, element in enumerate(block.get("elements") or []):
            textual = isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text")
            if textual and not element.get("text"):
                errors.append(
                    f"must be more than 0 characters [json-pointer:{at}/elements/{i}/text]"
                )
    return errors


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"missing required field: type [json-pointer:{at}]"]
    errors = _empty_text_errors(block, at)
    kind = block["type"]
    if len(str(block.get("block_id", ""))) > ID_MAX:
        errors.append(f"must be at most {ID_MAX} characters [json-pointer:{at}/block_id]")
    if kind == "section":
        if len(_text(block.get("text"))) > SECTION_TEXT_MAX:
            errors.append(
                f"must be at most {SECTION_TEXT_MAX} characters [json-pointer:{at}/text/text]"
            )
        fields = block.get("fields") or []
        if len(fields) > SECTION_FIELDS_MAX:
            errors.append(
                f"must be less than {SECTION_FIELDS_MAX + 1} items [json-pointer:{at}/fields]"
            )
        for i, field in enumerate(fields):
            if len(_text(field)) > FIELD_TEXT_MAX:
                errors.append(
                    f"must be at most {FIELD_TEXT_MAX} characters "
                    f"[json-pointer:{at}/fields/{i}/text]"
                )
        if "accessory" in block:
            errors += _element_errors(block["accessory"], f"{at}/accessory")
    elif kind == "header" and len(_text(block.get("text"))) > HEADER_TEXT_MAX:
        errors.append(f"must be at most {HEADER_TEXT_MAX} characters [json-pointer:{at}/text/text]")
    elif kind in ("actions", "context"):
        elements = block.get("elements") or []
        most = ACTIONS_ELEMENTS_MAX if kind == "actions" else CONTEXT_ELEMENTS_MAX
        if len(elements) > most:
            errors.append(f"must be less than {most + 1} items [json-pointer:{at}/elements]")
        if kind == "actions":
            action_ids = [e.get("action_id") for e in elements if isinstance(e, dict)]
            present = [a for a in action_ids if a is not None]
            if len(present) != len(set(present)):
                errors.append(f"action_id must be unique in the block [json-pointer:{at}]")
            for i, element in enumerate(elements):
                errors += _element_errors(element, f"{at}/elements/{i}")
    return errors


def block_errors(blocks: Any, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[str]:
    """What Slack would reject in `blocks`, as Slack words it; [] when they pass."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors = []
    if len(blocks) > max_blocks:
        errors.append(f"must be less than {max_blocks + 1} items [json-pointer:/blocks]")
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        errors.append("block_id must be unique [json-pointer:/blocks]")
    for i, block in enumerate(blocks):
        errors += _block_errors(block, f"/blocks/{i}")
    return errors


# slack.md, Buttons and views: "Slack also refuses a message whose blocks are too long
# in total (msg_blocks_too_long, not in the docs)": slackapi/bolt-js#2867 saw about 9,600
# characters of text / 15,500 of blocks JSON accepted and 11,300 / 17,700 refused. The
# stand-in refuses above 10,000 / 15,000, the spec's limits, so nothing between passes
# here and fails in a workspace. Text is every `text` string; the JSON is compact, as
# bolt-js#2867 measured it.
MESSAGE_TEXT_TOTAL_MAX = 10_000
MESSAGE_BLOCKS_JSON_MAX = 15_000


def _all_text(node: Any) -> int:
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(_all_text(v) for v in node.values() if not isinstance(v, str))
    if isinstance(node, list):
        return sum(_all_text(item) for item in node)
    return 0


def too_long(blocks: Any) -> bool:
    """Whether Slack answers `msg_blocks_too_long` to a message with these blocks."""
    if not isinstance(blocks, list):
        return False
    size = len(json.dumps(blocks, separators=(",", ":"), ensure_ascii=False))
    return _all_text(blocks) > MESSAGE_TEXT_TOTAL_MAX or size > MESSAGE_BLOCKS_JSON_MAX


VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000


def view_errors(view: dict[str, Any]) -> list[str]:
    """What Slack would reject in a modal or Home view."""
    errors = block_errors(view.get("blocks", []), VIEW_MAX_BLOCKS)
    for key in ("title", "submit", "close"):
        if key in view and len(_text(view[key])) > VIEW_TITLE_MAX:
            errors.append(f"must be at most {VIEW_TITLE_MAX} characters [json-pointer:/view/{key}]")
    if len(str(view.get("private_metadata", ""))) > PRIVATE_METADATA_MAX:
        errors.append(
            f"must be at most {PRIVATE_METADATA_MAX} characters "
            "[json-pointer:/view/private_metadata]"
        )
    if len(str(view.get("callback_id", ""))) > ID_MAX:
        errors.append(f"must be at most {ID_MAX} characters [json-pointer:/view/callback_id]")
    return errors
