"""papertrail: a research reading log served to AI assistants over MCP."""

__version__ = "2.4.1"
