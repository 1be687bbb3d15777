"""Discord: a discord.py client with the /prep command groups and answer threads. It translates; the core decides."""
