"""A stand-in for the Slack Web API on loopback: fake Slack for the tests."""

from bot.slack_standin.server import SlackStandin

__all__ = ["SlackStandin"]
