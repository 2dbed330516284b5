"""Tables of the associations domain."""
