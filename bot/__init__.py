"""stockbot: keeps a seller's MAIN and FBE eMAG offers selling, from Slack."""
