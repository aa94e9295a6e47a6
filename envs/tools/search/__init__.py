"""Multi-hop search over a fictional encyclopedia (`tools/Search-v0`)."""
