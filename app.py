"""Översikt – the start page: every goal for the county and the 16 municipalities."""

from nyap.ui.pages import render_overview

render_overview()
