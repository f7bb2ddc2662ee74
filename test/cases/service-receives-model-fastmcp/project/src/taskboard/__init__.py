"""A small task board served over MCP."""
