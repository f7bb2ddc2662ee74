'''The Book entity and its enums.'''
from datetime import datetime, timezone
from enum import Enum
from typing import Dict, List, Optional
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class BookCondition(Enum):
    '''Physical state of a copy.'''
    NEW = 'new'
    GOOD = 'good'
    WORN = 'worn'
    DAMAGED = 'damaged'


class BookFormat(Enum):
    '''How a book is published.'''
    HARDCOVER = 'hardcover'
    PAPERBACK = 'paperback'
    EBOOK = 'ebook'
    AUDIOBOOK = 'audiobook'


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Book(BaseModel):
    '''
    A book on the shelf.

    :ivar isbn: ISBN-10 or ISBN-13, digits only.
    :ivar tags: free-form labels, stored as a JSON array.
    :ivar details: extra key/value facts (publisher, translator...), stored as a JSON object.
    '''
    # identity
    id: UUID = Field(default_factory=uuid4)
    isbn: str = Field(..., pattern=r'^\d{10}(\d{3})?$', description='ISBN-10 or ISBN-13, digits only')

    # bibliographic data
    title: str = Field(..., min_length=1, max_length=300)
    author: str = Field(..., min_length=1, max_length=200)
    published_year: Optional[int] = Field(None, ge=1450, le=2100, description='Year of first publication')

    # the copy on the shelf
    condition: BookCondition = Field(BookCondition.GOOD, description='Physical state of this copy')
    shelf: Optional[str] = Field(None, max_length=50, description='Where the book is kept')
    notes: Optional[str] = None
    tags: List[str] = Field(default_factory=list)
    details: Dict[str, str] = Field(default_factory=dict)
    added_at: datetime = Field(default_factory=_now)

    model_config = ConfigDict(str_strip_whitespace=True)
