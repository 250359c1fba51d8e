"""The client agent: collects inventory, reports to the management point, polls policy."""
