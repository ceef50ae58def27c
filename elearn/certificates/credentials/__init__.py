"""A certificate for machines: signing keys, signed credentials and their verification."""
