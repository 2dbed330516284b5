"""Import and export of the registry workbook (spec/interchange.md)."""
