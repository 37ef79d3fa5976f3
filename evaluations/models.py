"""Models of the evaluations app; filled by its own issue."""
