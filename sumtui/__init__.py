"""sumtui: software-update management of a fleet, from a terminal."""

__version__ = "0.1.0"
