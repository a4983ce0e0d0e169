"""A local Slack playground: the real bot, the Slack stand-in and a page that plays
Slack's client, so stockbot can be tried without a Slack workspace (`stockbot demo --serve`).

`bot.playground.run` starts it (`Playground`, `serve_playground`); `bot.playground.server`
is the page's own web app. Nothing is imported here, so `python -m bot.playground.run`
runs cleanly."""
