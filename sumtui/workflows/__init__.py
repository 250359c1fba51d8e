"""The application layer: operations that cross domains (catalog, fleet, compliance, deploy).

The shells (console, CLI, management point, agent) call these and stay thin; the domain packages
below know nothing of each other's reactions: where a lower layer must let others react (membership
changed), it takes a hook, and the hooks are wired here.
"""
