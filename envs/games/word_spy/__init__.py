"""WordSpy ("who is the spy"): rules, the text game, the shipped word pairs and the scripted agent."""
