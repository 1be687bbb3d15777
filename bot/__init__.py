"""prepbot: a question of the day for teams that practise interview questions together."""
