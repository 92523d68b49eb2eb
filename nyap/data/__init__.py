"""Where the numbers are kept and what they refer to: the cache, areas and the region, the
suppression and formula rules every input and export shares. Imports nothing above it."""
