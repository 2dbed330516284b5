"""Tables of the documents domain."""
