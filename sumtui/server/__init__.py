"""The management point: HTTP API for agents. The only package that imports the web framework."""
