"""One QWidget per screen: each draws a state and emits intents; none calls the network."""
