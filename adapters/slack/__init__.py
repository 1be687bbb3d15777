"""Slack: the slack-bolt app, in Socket Mode or over HTTP. It acks, translates and renders; the core decides."""
