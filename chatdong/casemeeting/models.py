"""Models of the casemeeting app."""
