"""The Gnumeric spreadsheet: cell edits and formulas graded by the saved workbook, and questions about the data."""
