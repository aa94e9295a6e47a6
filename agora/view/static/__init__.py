"""The stylesheet of the viewer (a package, so wheels ship it)."""
