"""Persistence: SQLAlchemy 2.0 models, the database session, migrations and queries.

It may import the engine's models (what it stores and loads), nothing of Slack, eMAG,
the web, the jobs or the service: every wing above reads and writes through it.
"""
