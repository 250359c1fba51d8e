"""The scriptable command line."""
