"""BugFix: fix a bug injected into a real Python project; graded by its own tests in a fresh container."""
