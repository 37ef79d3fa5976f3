"""Models of the elements app; filled by its own issue."""
