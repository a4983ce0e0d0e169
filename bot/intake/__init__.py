"""Data that enters the snapshot without eMAG: CSV imports and the demo catalogue.

It may import the engine and storage; nothing of Slack, the web or the jobs.
"""

# Here rather than in seed.py: the command line's parser takes it as a default without
# loading storage.
DEMO_PRODUCTS = 500
