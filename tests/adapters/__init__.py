"""Tests of the adapters: each platform, and one suite for what Slack and Discord share."""
