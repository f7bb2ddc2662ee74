'''A tool definition, shaped like ``mcp.types.Tool`` plus the coroutine that runs it.'''
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict

Handler = Callable[[Dict[str, Any]], Awaitable[Dict[str, Any]]]


@dataclass
class Tool:
    name: str
    description: str
    inputSchema: Dict[str, Any]
    handler: Handler = field(repr=False)

    def definition(self) -> Dict[str, Any]:
        '''The JSON a client sees when it lists the tools.'''
        return {'name': self.name, 'description': self.description, 'inputSchema': self.inputSchema}
