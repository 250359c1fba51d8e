"""Deployments: update lists, templates, packages and policy. Imports no console."""
