"""The page app's migrations."""
