"""Rumah Perisai: registration, dues and weekly batches for BPJS Ketenagakerjaan's village posts."""

__version__ = "0.1.0"
