"""How numbers get into the cache: Kolada's API and the refresh, the Liv & Hälsa import, the demo
data. Above the rules (a refresh checks its figures with the goal arithmetic); nothing in the
app's pages imports it."""
