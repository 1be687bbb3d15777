"""The grading evaluation set: written answers ranked by what they explain."""
