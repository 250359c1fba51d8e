"""The update catalog: MSRC CVRF parsing, storage, synchronization and queries. Imports no console."""
