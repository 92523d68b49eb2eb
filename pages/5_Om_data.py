"""Om data – definitions, sources, years, caveats and the method behind the statuses."""

from nyap.ui.pages import render_about

render_about()
