"""Tables of the training domain."""
