"""The galculator calculator: arithmetic questions graded by the exact answer."""
