"""LLM and scripted agents: chat templates, action extraction, transformers / vLLM / OpenAI backends."""
