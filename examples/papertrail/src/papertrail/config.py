"""Where papertrail keeps its data, and the settings read from the environment."""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

# The reading log lives in the user's home, like most desktop tools' data: ~/.papertrail/papertrail.db
DEFAULT_DATA_DIR = Path.home() / ".papertrail"
DEFAULT_DB_PATH = DEFAULT_DATA_DIR / "papertrail.db"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; every field can be overridden by a PAPERTRAIL_* variable."""

    db_path: Path = DEFAULT_DB_PATH
    log_level: str = "INFO"
    half_life_days: float = 30.0
    daily_reading_minutes: int = 45

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        return cls(
            db_path=Path(env["PAPERTRAIL_DB"]).expanduser() if "PAPERTRAIL_DB" in env else DEFAULT_DB_PATH,
            log_level=env.get("PAPERTRAIL_LOG_LEVEL", "INFO").upper(),
            half_life_days=float(env.get("PAPERTRAIL_HALF_LIFE_DAYS", "30")),
            daily_reading_minutes=int(env.get("PAPERTRAIL_DAILY_MINUTES", "45")),
        )


def configure_logging(level: str) -> None:
    """Log to stderr: on an MCP stdio server, stdout carries the protocol and nothing else."""
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
