"""Model Context Protocol servers as envs (`tools/MCP-v0`), with a shipped notes/calendar server."""
