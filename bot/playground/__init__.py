"""A local Slack playground: the real bot, the Slack stand-in and a page that plays
Slack's client, so stockbot can be tried without a Slack workspace (`stockbot demo --serve`)."""

from bot.playground.run import Playground, serve_playground

__all__ = ["Playground", "serve_playground"]
