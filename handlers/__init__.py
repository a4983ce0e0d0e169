"""The Slack surface: listeners and Block Kit builders."""
