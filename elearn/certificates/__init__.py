"""Certificates: verification codes, PDF rendering, signed credentials and their keys."""
