"""A client that streams a large request body over a raw socket, the way an attacker
would, and stops when the server answers or hangs up."""

from __future__ import annotations

import select
import socket
from urllib.parse import urlparse

FORM = "application/x-www-form-urlencoded"


def stream_post(
    url: str, path: str, total: int, chunked: bool, headers: str = ""
) -> tuple[int, int]:
    """POST `total` bytes of 'a' to `path` over a raw socket, declared up front
    (Content-Length) or chunked, stopping when the server answers or hangs up.

    Returns (the answer's status, bytes of body sent)."""
    where = urlparse(url)
    connection = socket.create_connection((where.hostname, where.port), timeout=10)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {FORM}\r\n{headers}{framing}\r\n\r\n"
    )
    connection.sendall(head.encode())
    block = b"a" * 65536
    piece = b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
    sent = 0
    try:
        while sent < total and not select.select([connection], [], [], 0)[0]:
            connection.sendall(piece)
            sent += len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed; the answer is still there to read
    reply = b""
    try:
        while b"\r\n" not in reply:
            data = connection.recv(4096)
            if not data:
                break
            reply += data
    except ConnectionResetError:
        pass
    connection.close()
    status_line = reply.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 "), status_line
    return int(status_line.split()[1]), sent
