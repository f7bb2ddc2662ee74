"""Web clips kept for later, served over MCP."""
