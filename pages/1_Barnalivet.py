"""Barnalivet – the working group's goals: compact list, then the goal in focus in detail."""

from nyap.ui.pages import render_challenge

render_challenge("Barnalivet")
