"""The MCP face of the application: FastMCP tools and what they return."""
