"""`python -m papertrail` / `papertrail`: the reading log's MCP server on stdio."""

import asyncio
import logging

from papertrail.config import Settings, configure_logging
from papertrail.infrastructure.database import PaperDatabase
from papertrail.mcp.paper_server import PaperTrailServer
from papertrail.services import build_service

logger = logging.getLogger("papertrail")


async def serve(settings: Settings) -> None:
    """Open the log, wire the service and answer MCP requests until stdin closes."""
    db = PaperDatabase(settings.db_path)
    await db.initialize()
    try:
        tools = PaperTrailServer(build_service(db, settings))
        await tools.server.run_stdio()
    finally:
        await db.close()
        logger.info("reading log closed")


def main() -> None:  # pragma: no cover - exercised through the subprocess test
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    logger.info("reading log at %s", settings.db_path)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
