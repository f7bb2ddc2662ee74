/**
 * Which classes can take a field: only those whose bases reach pydantic.BaseModel, through the
 * project's own classes and imports (aliases, relative imports, re-exports); everything else is named
 * as what it is. And the names a class body reads, which a new field must not rebind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { namesReadByClassBody } from '../../src/analysis/class-names';
import { modelKind, pydanticModels } from '../../src/analysis/model-kind';
import { indexWorkspace, type WorkspaceIndex } from '../../src/analysis/workspace-index';

const FILES: Record<string, string> = {
  'src/app/__init__.py': 'from app.base import Entity\n',
  'src/app/base.py': `
from pydantic import BaseModel as PydanticModel


class Entity(PydanticModel):
    id: int
`,
  'src/app/models.py': `
import dataclasses
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Generic, NamedTuple, TypedDict, TypeVar

import attrs
import pydantic
from sqlalchemy.orm import DeclarativeBase

from . import Entity
from .base import Entity as BaseEntity

T = TypeVar("T")


class Direct(pydantic.BaseModel):
    a: int


class ViaPackage(Entity):
    b: int


class ViaAlias(BaseEntity, Generic[T], metaclass=type):
    c: int


class Mixin:
    pass


class WithMixin(Mixin, Entity):
    d: int


@dataclass
class Data:
    e: int


@dataclasses.dataclass(frozen=True)
class FrozenData:
    f: int


@attrs.define
class Attrs:
    g: int


class Dict(TypedDict):
    h: int


class Tuple(NamedTuple):
    i: int


class Kind(str, Enum):
    A = "a"


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"


class Plain:
    j: int


class FromPlain(Plain):
    k: int


class Unknown(Missing):
    l: int


class Typed(typing.NamedTuple):
    m: int
`,
  'src/app/v1.py': `
from pydantic.v1 import BaseModel


class Old(BaseModel):
    n: int
`,
  'src/app/schedule.py': `
from datetime import date, datetime
from pydantic import BaseModel, Field, field_validator


def today() -> date:
    return date.today()


class Slot(BaseModel):
    day: date = Field(default_factory=today)
    at: datetime | None = None

    @field_validator("day")
    @classmethod
    def check(cls, value: date, info: object = None) -> date:
        helper = value.isoformat()
        return value
`,
};

let root: string;
let index: WorkspaceIndex;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'specialist-model-kind-'));
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text.trimStart());
  }
  index = indexWorkspace(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const kindOf = (name: string) => {
  const cls = index.classes.find((c) => c.name === name);
  if (!cls) throw new Error(`no class ${name}`);
  return modelKind(index, cls);
};

describe('modelKind', () => {
  it.each(['Direct', 'ViaPackage', 'ViaAlias', 'WithMixin', 'Entity', 'Slot'])(
    '%s reaches pydantic.BaseModel',
    (name) => expect(kindOf(name)).toEqual({ pydantic: true }),
  );

  it.each([
    ['Data', /^a dataclass$/],
    ['FrozenData', /^a dataclass$/],
    ['Attrs', /^an attrs class$/],
    ['Dict', /^a TypedDict$/],
    ['Tuple', /^a NamedTuple$/],
    ['Typed', /^a NamedTuple$/],
    ['Kind', /^an Enum$/],
    ['Row', /SQLAlchemy ORM model.*not supported/],
    ['Plain', /^a plain class$/],
    ['FromPlain', /^a subclass of Plain \(src\/app\/models\.py:\d+\), a plain class$/],
    ['Unknown', /subclass of Missing, whose origin was not found/],
    ['Old', /Pydantic V1 model/],
  ])('%s is named for what it is', (name, what) => {
    const kind = kindOf(name);
    expect(kind.pydantic).toBe(false);
    expect(kind.pydantic ? '' : kind.what).toMatch(what);
  });

  it('lists only the Pydantic models of the project', () => {
    expect(
      pydanticModels(index)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['Direct', 'Entity', 'Slot', 'ViaAlias', 'ViaPackage', 'WithMixin'].sort());
  });
});

describe('namesReadByClassBody', () => {
  it('has the names of annotations, defaults, decorators and signatures, not field names or method bodies', () => {
    const slot = index.classes.find((c) => c.name === 'Slot')!;
    const names = namesReadByClassBody(slot.node);
    for (const name of ['date', 'datetime', 'Field', 'today', 'field_validator', 'classmethod', 'object'])
      expect(names).toContain(name);
    for (const name of ['day', 'at', 'default_factory', 'helper', 'isoformat', 'value', 'info'])
      expect(names).not.toContain(name);
  });
});
