"""Fakes: the recording chat port, and local fake Slack, Discord and OpenAI services."""
