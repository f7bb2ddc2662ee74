"""The MCP tool server of the reading log."""
