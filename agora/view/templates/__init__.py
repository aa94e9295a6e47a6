"""Jinja2 templates of the pages of the viewer (a package, so wheels ship them)."""
