"""The Web API methods the Slack stand-in answers (chat.*, views.*, files.*,
conversations.*, the response_url), over the state `bot.slack_standin.server.SlackStandin`
keeps; channels and their reading are in `channels.py`, the HTTP plumbing, the records and
the scripted failures in `server.py`."""

from __future__ import annotations

import time
from typing import Any

from bot.slack_standin.channels import ChannelMethods, PostRate
from bot.slack_standin.limits import block_errors, too_long, view_errors

RESPONSE_URL_USES = 5


class WebApiMethods(ChannelMethods):
    """What each method does to the stand-in's channels, modals, Home tabs and files.

    The caller holds `self._lock`; the attributes are set by SlackStandin.__init__."""

    _lock: Any
    _records: list[dict[str, Any]]
    _channels: dict[str, list[dict[str, Any]]]
    _seq: int
    _ephemerals: list[dict[str, Any]]
    _responses: dict[str, dict[str, Any]]
    _views: dict[str, dict[str, Any]]
    _closed: set[str]
    _home: dict[str, dict[str, Any]]
    _files: dict[str, dict[str, Any]]
    _used_triggers: set[str]
    _rate: PostRate
    base_url: str

    def apply_view_answer(self, view_id: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Do what Slack does with an app's answer to a view_submission: `update`
        replaces the modal, `push` stacks a new one, `clear` closes them all, `errors`
        leaves it open (the errors are shown under the fields), and an empty answer
        closes it. Returns {"ok": ...} and, when refused, the error."""
        action = answer.get("response_action")
        with self._lock:
            if view_id not in self._views:
                return {"ok": False, "error": "not_found"}
            if action == "errors":
                return {"ok": True}
            if action == "clear":
                self._closed.update(self._views)
                return {"ok": True}
            if action in ("update", "push"):
                view = answer.get("view")
                if not isinstance(view, dict) or view.get("type") != "modal":
                    return {"ok": False, "error": "invalid_arguments"}
                errors = view_errors(view)
                if errors:
                    return {"ok": False, "error": "invalid_arguments", "errors": errors}
                if action == "push":
                    self._seq += 1
                    view_id = f"V{self._seq}"
                self._views[view_id] = {**view, "id": view_id}
                return {"ok": True}
            self._closed.add(view_id)
            return {"ok": True}

    def _find(self, channel: str, ts: str | None) -> dict[str, Any] | None:
        """A channel message or an ephemeral one (a response_url may replace either)."""
        for message in self._ephemerals:
            if message["ts"] == ts and message["channel"] == channel:
                return message
        return self._in_channel(channel, ts)

    def _respond(self, key: str, body: dict[str, Any]) -> tuple[int, dict, dict]:
        """A post to a response_url: a new message, or the bound message replaced. Not
        held to msg_blocks_too_long: bolt-js#2867 saw respond() take blocks that
        chat.postMessage refused."""
        with self._lock:
            self._records.append(
                {"method": "response_url", "key": key, "body": body, "at": time.time()}
            )
            target = self._responses.get(key)
            if target is None:
                return 404, {}, {"ok": False, "error": "expired_url"}
            failure = self._failure("response_url")  # type: ignore[attr-defined]
            if failure is not None and failure.status:
                return failure.status, {}, {"ok": False, "error": "invalid_blocks"}
            # Slack honours a response_url up to five times.
            target["uses"] = target.get("uses", 0) + 1
            if target["uses"] > RESPONSE_URL_USES:
                return 404, {}, {"ok": False, "error": "used_url"}
            errors = block_errors(body.get("blocks", []))
            if errors:
                return 400, {}, {"ok": False, "error": "invalid_blocks", "errors": errors}
            channel = target["channel"]
            if body.get("delete_original") and target["ts"]:
                self._channels[channel] = [
                    m for m in self._channels.get(channel, []) if m["ts"] != target["ts"]
                ]
                return 200, {}, {"ok": True}
            if body.get("replace_original") and target["ts"]:
                message = self._find(channel, target["ts"])
                if message is None:
                    return 404, {}, {"ok": False, "error": "message_not_found"}
                message.update(text=body.get("text"), blocks=body.get("blocks", []))
                return 200, {}, {"ok": True}
            if body.get("response_type") == "in_channel":
                self._post(channel, body, user="UBOT")
            else:
                self._ephemerals.append(
                    {
                        "ts": self._next_ts(),
                        "channel": channel,
                        "user": target["user"],
                        "text": body.get("text"),
                        "blocks": body.get("blocks", []),
                    }
                )
            return 200, {}, {"ok": True}

    def _answer(self, method: str, body: dict[str, Any]) -> tuple[int, dict, dict]:
        """(HTTP status, headers, body) of a Web API call."""
        if method == "chat.postMessage":
            # slack.md: the per-channel rate, 429 with Retry-After when over it.
            channel = self.channel_id(str(body.get("channel", "")), by_name=True)
            wait = self._rate.take(channel) if channel else None
            if wait is not None:
                return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        return 200, {}, self._call(method, body)

    def _call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            errors = block_errors(body.get("blocks", []))
            if errors:
                return {"ok": False, "error": "invalid_blocks", "errors": errors}
            if too_long(body.get("blocks", [])):
                return {"ok": False, "error": "msg_blocks_too_long"}
            if "metadata" in body and not _valid_metadata(body["metadata"]):
                return {"ok": False, "error": "invalid_metadata_format"}
        # Only chat.postMessage takes a channel's name (slack.md); the rest need its ID.
        channel = self.channel_id(str(body.get("channel", "")), method == "chat.postMessage")
        if method.startswith("chat.") and method != "chat.getPermalink" and channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            assert channel is not None
            message = self._post(channel, body)
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "chat.update":
            assert channel is not None
            message = self._find(channel, body.get("ts"))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.update(text=body.get("text"), blocks=body.get("blocks", []))
            return {"ok": True, "channel": channel, "ts": message["ts"]}
        if method == "chat.postEphemeral":
            ts = self._next_ts()
            self._ephemerals.append(
                {
                    "ts": ts,
                    "channel": channel,
                    "user": body.get("user"),
                    "text": body.get("text"),
                    "blocks": body.get("blocks", []),
                }
            )
            return {"ok": True, "message_ts": ts}
        if method == "chat.getPermalink":
            return self._permalink(body)
        if method in ("conversations.history", "conversations.replies"):
            thread = str(body.get("ts", "")) if method == "conversations.replies" else None
            return self._history(body, thread)
        if method in ("views.open", "views.update", "views.publish"):
            return self._view(method, body)
        if method == "files.getUploadURLExternal":
            if not body.get("filename") or not str(body.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            self._seq += 1
            file_id = f"F{self._seq}"
            self._files[file_id] = {"id": file_id, "filename": body["filename"], "data": None}
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": f"{self.base_url}/upload/{file_id}",
            }
        if method == "files.completeUploadExternal":
            return self._complete_upload(body)
        return {"ok": False, "error": "unknown_method"}

    def _upload(self, file_id: str, data: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self._records.append({"method": "upload", "key": file_id, "at": time.time()})
            failure = self._failure("upload")
            if failure is not None:
                return failure.status, {}, {"ok": False, "error": "upload_failed"}
            stored = self._files.get(file_id)
            if stored is None:
                return 404, {}, {"ok": False, "error": "file_not_found"}
            stored["data"] = data
        return 200, {}, {"ok": True}

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        shared = []
        for item in body.get("files") or []:
            stored = self._files.get(item.get("id", ""))
            if stored is None or stored["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            stored["title"] = item.get("title")
            shared.append(stored)
        given = body.get("channel_id") or body.get("channels", "")
        if given:
            # slack.md: file uploads need the channel's ID, not its name.
            channel = self.channel_id(str(given))
            if channel is None:
                return {"ok": False, "error": "channel_not_found"}
            # files.completeUploadExternal, thread_ts: shared as a reply in that thread.
            shared_in = {"text": body.get("initial_comment"), "thread_ts": body.get("thread_ts")}
            message = self._post(channel, shared_in)
            message["files"] = [
                {"id": f["id"], "title": f.get("title"), "name": f["filename"]} for f in shared
            ]
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in shared]}

    def _view(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            return {"ok": False, "error": "invalid_arguments"}
        errors = view_errors(view)
        if errors:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": errors},
            }
        if method == "views.publish":
            if not body.get("user_id"):
                return {"ok": False, "error": "invalid_arguments"}
            self._home[body["user_id"]] = view
            return {"ok": True, "view": {**view, "id": f"VHOME{body['user_id']}"}}
        if method == "views.open":
            # A trigger_id opens one modal, once.
            trigger = body.get("trigger_id")
            if not trigger or trigger in self._used_triggers:
                return {"ok": False, "error": "invalid_trigger_id"}
            self._used_triggers.add(trigger)
            self._seq += 1
            view_id = f"V{self._seq}"
        else:
            view_id = body.get("view_id", "")
            if view_id not in self._views:
                return {"ok": False, "error": "not_found"}
        stored = {**view, "id": view_id}
        self._views[view_id] = stored
        return {"ok": True, "view": stored}


def _valid_metadata(metadata: Any) -> bool:
    """api.slack.com/metadata: an event_type and an event_payload object."""
    return (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
