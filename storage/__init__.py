"""Persistence: SQLAlchemy 2.0 models, the database session, migrations and queries."""
