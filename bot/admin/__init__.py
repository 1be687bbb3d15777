"""Admin tools for operators, run from the `prepbot` command line.

- `channels`: finding a channel by the name an operator gives it, and opening the configured database for reading;
- `export`: a channel's answers and points over a range of dates, as JSON or CSV;
- `reports`: a channel's board as the core computes it, and the most recent rounds;
- `commands`: the command-line side: arguments in, text out, an exit code.
"""
