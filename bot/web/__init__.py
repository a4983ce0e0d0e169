"""The web process: Slack's endpoint, the REST API and the dashboard, on one ASGI app.

A face of the application: it may import the engine, the service, storage and the Slack
app; nothing but the CLI and the playground imports it.
"""
