"""Browser-facing hardening for every HTML page the web process serves (the dashboard
and its sign-in): a Content-Security-Policy that allows no script and no framing, and
the headers that stop MIME sniffing and referrer leaks. Applies to responses whose type
is text/html; JSON and the chart PNG get nosniff only."""

from __future__ import annotations

from bot.web.edge import ASGIApp, Message, Receive, Scope, Send

# The pages are server-rendered: no script at all, styles from the page's own <style>,
# images (the trend chart) and form posts from this origin only.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HTML_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders:
    """Adds the headers above to each response as it starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                headers.append(NOSNIFF)
                if kind.startswith(b"text/html"):
                    headers.extend(HTML_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
