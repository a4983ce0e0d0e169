"""Socket Mode as Slack serves it, on loopback: `apps.connections.open` hands out a ws://
URL; this WebSocket server (RFC 6455 framing, text, ping/pong, close) says hello, sends
envelopes (a slash command, a block action) and collects the app's acks.

slack_sdk's built-in Socket Mode client speaks plain ws:// to any port but 443, which is
what lets `stockbot serve --socket` be tested without Slack.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import socketserver
import struct
import threading
import time
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    first, second = _read_exact(sock, 2)
    size = second & 0x7F
    if size == 126:
        size = struct.unpack("!H", _read_exact(sock, 2))[0]
    elif size == 127:
        size = struct.unpack("!Q", _read_exact(sock, 8))[0]
    mask = _read_exact(sock, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(_read_exact(sock, size)))
    return first & 0x0F, payload


class SocketModeStandin:
    """One app connection at a time, as a Slack app usually keeps."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._connection: socket.socket | None = None
        self._send_lock = threading.Lock()
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        standin = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                standin._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def stop(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
        self._server.shutdown()
        self._server.server_close()

    def wait_connected(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self._connection is None:
            if time.monotonic() > deadline:
                raise TimeoutError("no Socket Mode connection")
            time.sleep(0.02)

    def send(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver an envelope (`slash_commands`, `interactive`, `events_api`)."""
        envelope_id = uuid.uuid4().hex
        message = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        self._send(json.dumps(message))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acks:
            if time.monotonic() > deadline:
                raise TimeoutError(f"envelope {envelope_id} was not acknowledged")
            time.sleep(0.01)
        return self.acks[envelope_id]

    def _send(self, text: str, opcode: int = TEXT) -> None:
        self.wait_connected()
        with self._send_lock:
            assert self._connection is not None
            self._connection.sendall(_frame(opcode, text.encode()))

    def _handshake(self, sock: socket.socket) -> bool:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = sock.recv(4096)
            if not chunk:
                return False
            request += chunk
        headers = {}
        for line in request.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get("sec-websocket-key", "")
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        return True

    def _serve(self, sock: socket.socket) -> None:
        if not self._handshake(sock):
            return
        with self._lock:
            self._connection = sock
            self.connections += 1
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        with self._send_lock:
            sock.sendall(_frame(TEXT, json.dumps(hello).encode()))
        try:
            while True:
                opcode, payload = _read_frame(sock)
                if opcode == PING:
                    with self._send_lock:
                        sock.sendall(_frame(PONG, payload))
                elif opcode == TEXT:
                    message = json.loads(payload)
                    if "envelope_id" in message:
                        self.acks[message["envelope_id"]] = message
                elif opcode == CLOSE:
                    with self._send_lock:
                        sock.sendall(_frame(CLOSE, payload[:2]))
                    return
        except (ConnectionError, OSError, ValueError):
            return
        finally:
            with self._lock:
                if self._connection is sock:
                    self._connection = None
