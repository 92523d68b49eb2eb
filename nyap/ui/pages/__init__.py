"""The page bodies, one module per page. Page files call one function; logic stays in the core
(nyap/), shared page content in nyap/serving/page_content.py."""

from nyap.ui.pages.about import render_about
from nyap.ui.pages.challenge import render_challenge
from nyap.ui.pages.common import guarded
from nyap.ui.pages.overview import render_overview

__all__ = ["guarded", "render_about", "render_challenge", "render_overview"]
