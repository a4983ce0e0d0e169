"""`python -m bot.cli`: the same as the `stockbot` command."""

from bot.cli.main import run

run()
