"""text/ALFWorld: ALFWorld household tasks, generated offline from the ALFRED floor plans, played by TextWorld."""
