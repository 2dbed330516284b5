"""Tables of the planreport domain."""
