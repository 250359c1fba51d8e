"""Compliance: evaluation of clients against the catalog, state ingestion and summaries. Imports no console."""
