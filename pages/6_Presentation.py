"""Presentation – one view at a time for a room: a talk from presentation.toml, or one view from a link."""

from nyap.ui.presentation import render_presentation

render_presentation()
