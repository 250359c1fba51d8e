"""Clients, collections and inventories. Imports no console, server or CLI."""
