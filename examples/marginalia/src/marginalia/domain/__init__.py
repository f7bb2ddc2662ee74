"""The clip and what it is."""
