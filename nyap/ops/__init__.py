"""Running and driving the app from outside: replicas behind nginx, a websocket client that warms
and load-tests it, the browser helpers of the tests and screenshots. The top layer: nothing in
the app imports it."""
