"""MCP tools of the reading log: what an assistant may read and record for the user."""

from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import ValidationError

from papertrail import __version__
from papertrail.domain.models import Collection, Highlight, Note, NoteKind, Paper, ReadingSession, ReadingStatus
from papertrail.infrastructure.database import DatabaseError
from papertrail.mcp.server import Server
from papertrail.services.library_service import PaperNotFoundError

if TYPE_CHECKING:
    from papertrail.services.library_service import LibraryService

_UUID = {"type": "string", "format": "uuid"}


class PaperTrailServer:
    """Registers the reading-log tools and dispatches calls to the service."""

    def __init__(self, service: "LibraryService") -> None:
        self.service = service
        self.server = Server("papertrail", __version__)
        self._register_handlers()

    def _register_handlers(self) -> None:
        """Register list_tools and call_tool with the MCP server."""

        @self.server.list_tools()
        async def list_tools() -> list[dict[str, Any]]:
            return [
                {
                    "name": "paper_add",
                    "description": "Add a paper to the reading log (a known DOI returns the stored paper)",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "string", "minLength": 1, "maxLength": 500},
                            "authors": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "Author names in byline order",
                            },
                            "doi": {"type": "string", "maxLength": 200, "description": "Digital Object Identifier"},
                            "url": {"type": "string", "maxLength": 2000},
                            "year": {"type": "integer", "minimum": 1600, "maximum": 2100},
                            "abstract": {"type": "string", "maxLength": 20000},
                            "priority": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 5,
                                "default": 3,
                                "description": "1 (someday) to 5 (now)",
                            },
                            "pages": {"type": "integer", "minimum": 1},
                            "tags": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["title"],
                    },
                },
                {
                    "name": "paper_get",
                    "description": "A paper with its notes and highlights",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"paper_id": {**_UUID, "description": "Paper id"}},
                        "required": ["paper_id"],
                    },
                },
                {
                    "name": "paper_list",
                    "description": "List papers by status, tag or collection",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string", "enum": [s.value for s in ReadingStatus]},
                            "tag": {"type": "string"},
                            "collection": {"type": "string", "description": "Collection name"},
                            "order": {"type": "string", "enum": ["added", "priority", "title", "year"]},
                            "limit": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                        },
                    },
                },
                {
                    "name": "paper_search",
                    "description": "Find papers by words of their title, abstract, authors or notes",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string", "minLength": 1},
                            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                        },
                        "required": ["query"],
                    },
                },
                {
                    "name": "paper_set_status",
                    "description": "Move a paper to to_read, reading, read or abandoned",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "paper_id": _UUID,
                            "status": {"type": "string", "enum": [s.value for s in ReadingStatus]},
                        },
                        "required": ["paper_id", "status"],
                    },
                },
                {
                    "name": "note_add",
                    "description": "Attach a note to a paper",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "paper_id": _UUID,
                            "body": {"type": "string", "minLength": 1, "maxLength": 50000},
                            "kind": {"type": "string", "enum": [k.value for k in NoteKind], "default": "summary"},
                            "page": {"type": "integer", "minimum": 1},
                        },
                        "required": ["paper_id", "body"],
                    },
                },
                {
                    "name": "highlight_add",
                    "description": "Keep a passage of a paper",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "paper_id": _UUID,
                            "quote": {"type": "string", "minLength": 1, "maxLength": 5000},
                            "page": {"type": "integer", "minimum": 1},
                            "color": {"type": "string", "default": "yellow"},
                        },
                        "required": ["paper_id", "quote"],
                    },
                },
                {
                    "name": "session_log",
                    "description": "Record a reading session (minutes, and pages if known)",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "paper_id": _UUID,
                            "minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                            "pages_from": {"type": "integer", "minimum": 1},
                            "pages_to": {"type": "integer", "minimum": 1},
                        },
                        "required": ["paper_id", "minutes"],
                    },
                },
                {
                    "name": "collection_create",
                    "description": "Create a reading list",
                    "inputSchema": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 100},
                            "description": {"type": "string", "maxLength": 1000},
                        },
                        "required": ["name"],
                    },
                },
                {
                    "name": "collection_add",
                    "description": "Append a paper to a reading list",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "paper_id": _UUID},
                        "required": ["name", "paper_id"],
                    },
                },
                {
                    "name": "reading_plan",
                    "description": "What to read today within the daily budget",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"minutes": {"type": "integer", "minimum": 5, "maximum": 600}},
                    },
                },
                {
                    "name": "library_stats",
                    "description": "Counts, minutes read this week and the reading streak",
                    "inputSchema": {"type": "object", "properties": {}},
                },
            ]

        @self.server.call_tool()
        async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            return await self.call_tool(name, arguments)

    async def list_tools(self) -> list[dict[str, Any]]:
        """The tool definitions, as the MCP client sees them."""
        handler = self.server.list_tools_handler
        assert handler is not None
        return await handler()

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run one tool; errors come back as {"error": ..., "message": ...}."""
        handlers = {
            "paper_add": self._handle_paper_add,
            "paper_get": self._handle_paper_get,
            "paper_list": self._handle_paper_list,
            "paper_search": self._handle_paper_search,
            "paper_set_status": self._handle_paper_set_status,
            "note_add": self._handle_note_add,
            "highlight_add": self._handle_highlight_add,
            "session_log": self._handle_session_log,
            "collection_create": self._handle_collection_create,
            "collection_add": self._handle_collection_add,
            "reading_plan": self._handle_reading_plan,
            "library_stats": self._handle_library_stats,
        }
        handler = handlers.get(name)
        if handler is None:
            return {"error": "UnknownTool", "message": f"Unknown tool: {name}"}
        try:
            return await handler(arguments)
        except PaperNotFoundError as exc:
            return {"error": "NotFound", "message": str(exc)}
        except ValidationError as exc:
            return {"error": "ValidationError", "message": str(exc)}
        except DatabaseError as exc:
            return {"error": "Conflict", "message": str(exc)}
        except (KeyError, ValueError) as exc:
            return {"error": "InvalidArguments", "message": str(exc)}

    async def _handle_paper_add(self, arguments: dict) -> dict:
        paper = await self.service.add_paper(
            title=arguments["title"],
            authors=arguments.get("authors"),
            doi=arguments.get("doi"),
            url=arguments.get("url"),
            year=arguments.get("year"),
            abstract=arguments.get("abstract"),
            priority=arguments.get("priority", 3),
            pages=arguments.get("pages"),
            tags=arguments.get("tags"),
        )
        return _serialize_paper(paper)

    async def _handle_paper_get(self, arguments: dict) -> dict:
        paper_id = UUID(arguments["paper_id"])
        paper = await self.service.get_paper(paper_id)
        return {
            **_serialize_paper(paper),
            "notes": [_serialize_note(note) for note in await self.service.notes(paper_id)],
            "highlights": [
                _serialize_highlight(h) for h in await self.service.db.list_highlights(paper_id)
            ],
        }

    async def _handle_paper_list(self, arguments: dict) -> dict:
        status = arguments.get("status")
        papers = await self.service.list_papers(
            status=ReadingStatus(status) if status else None,
            tag=arguments.get("tag"),
            collection=arguments.get("collection"),
            order=arguments.get("order", "added"),
            limit=arguments.get("limit", 50),
        )
        return {"papers": [_serialize_paper(paper) for paper in papers], "count": len(papers)}

    async def _handle_paper_search(self, arguments: dict) -> dict:
        papers = await self.service.search(arguments["query"], limit=arguments.get("limit", 20))
        return {"papers": [_serialize_paper(paper) for paper in papers], "count": len(papers)}

    async def _handle_paper_set_status(self, arguments: dict) -> dict:
        paper = await self.service.set_status(UUID(arguments["paper_id"]), ReadingStatus(arguments["status"]))
        return _serialize_paper(paper)

    async def _handle_note_add(self, arguments: dict) -> dict:
        note = await self.service.add_note(
            UUID(arguments["paper_id"]),
            arguments["body"],
            kind=NoteKind(arguments.get("kind", "summary")),
            page=arguments.get("page"),
        )
        return _serialize_note(note)

    async def _handle_highlight_add(self, arguments: dict) -> dict:
        highlight = await self.service.add_highlight(
            UUID(arguments["paper_id"]),
            arguments["quote"],
            page=arguments.get("page"),
            color=arguments.get("color", "yellow"),
        )
        return _serialize_highlight(highlight)

    async def _handle_session_log(self, arguments: dict) -> dict:
        session = await self.service.log_session(
            UUID(arguments["paper_id"]),
            arguments["minutes"],
            pages_from=arguments.get("pages_from"),
            pages_to=arguments.get("pages_to"),
        )
        return _serialize_session(session)

    async def _handle_collection_create(self, arguments: dict) -> dict:
        collection = await self.service.create_collection(arguments["name"], arguments.get("description"))
        return _serialize_collection(collection)

    async def _handle_collection_add(self, arguments: dict) -> dict:
        position = await self.service.add_to_collection(arguments["name"], UUID(arguments["paper_id"]))
        return {"collection": arguments["name"], "paper_id": arguments["paper_id"], "position": position}

    async def _handle_reading_plan(self, arguments: dict) -> dict:
        planned = await self.service.plan_today(arguments.get("minutes"))
        return {
            "plan": [
                {"paper": _serialize_paper(p.paper), "minutes": p.minutes, "pages_left": p.pages_left}
                for p in planned
            ],
            "minutes": sum(p.minutes for p in planned),
        }

    async def _handle_library_stats(self, arguments: dict) -> dict:
        return await self.service.stats()


def _serialize_paper(paper: Paper) -> dict:
    """Convert a Paper to the JSON-ready dict the tools return."""
    return {
        "id": str(paper.id),
        "title": paper.title,
        "authors": paper.authors,
        "doi": paper.doi,
        "url": paper.url,
        "year": paper.year,
        "abstract": paper.abstract,
        "status": paper.status.value,
        "priority": paper.priority,
        "rating": paper.rating,
        "pages": paper.pages,
        "pages_read": paper.pages_read,
        "tags": paper.tags,
        "added_at": paper.added_at.isoformat(),
        "updated_at": paper.updated_at.isoformat() if paper.updated_at else None,
        "finished_at": paper.finished_at.isoformat() if paper.finished_at else None,
    }


def _serialize_note(note: Note) -> dict:
    return {
        "id": str(note.id),
        "paper_id": str(note.paper_id),
        "kind": note.kind.value,
        "body": note.body,
        "page": note.page,
        "pinned": note.pinned,
        "created_at": note.created_at.isoformat(),
    }


def _serialize_highlight(highlight: Highlight) -> dict:
    return {
        "id": str(highlight.id),
        "paper_id": str(highlight.paper_id),
        "quote": highlight.quote,
        "page": highlight.page,
        "color": highlight.color,
    }


def _serialize_session(session: ReadingSession) -> dict:
    return {
        "id": str(session.id),
        "paper_id": str(session.paper_id),
        "started_at": session.started_at.isoformat(),
        "minutes": session.minutes,
        "pages_from": session.pages_from,
        "pages_to": session.pages_to,
    }


def _serialize_collection(collection: Collection) -> dict:
    return {
        "id": str(collection.id),
        "name": collection.name,
        "description": collection.description,
        "archived": collection.archived,
    }
