"""Simple Negotiation: resource trading with private values (rules, env, scripted agents)."""
