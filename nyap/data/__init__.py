"""Where the numbers come from and where they are kept: the region, the cache, Kolada, the
Liv & Hälsa import, the demo data."""
