"""The local Slack playground (`stockbot demo --serve`)."""
