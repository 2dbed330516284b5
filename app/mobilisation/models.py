"""Tables of the mobilisation domain."""
