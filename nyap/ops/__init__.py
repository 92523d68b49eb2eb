"""Running and driving the app from outside: replicas behind nginx (warmed through nyap.ui.client,
the one Streamlit-speaking client), the browser helpers of the tests and screenshots. The top layer: nothing in
the app imports it."""
