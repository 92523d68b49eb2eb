"""The goals and their arithmetic: goals.toml, the goal evaluation, the status vocabulary, the
evaluation table."""
