"""Tables of the budget domain."""
