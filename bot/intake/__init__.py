"""Data that enters the snapshot without eMAG: CSV imports and the demo catalogue.

It may import the engine and storage; nothing of Slack, the web or the jobs.
"""
