/** The model a field change names: a Pydantic V2 class, found by name (docs/codemods.md). */
import type { FeatureSpec, FieldChange } from '../spec/feature-spec';
import { docstringOf, dominantQuote, findAll, lineIndentAt, rangeOf } from '../python-syntax/parse';
import { classFields, optionalStyleOf } from '../codemods/add-pydantic-field';
import type { ModelAnchor, StyleFacts } from './anchor-map';
import { pick, specInvalid, where } from './anchor-errors';
import { namesReadByClassBody } from './class-names';
import { modelKind, pydanticModels } from './model-kind';
import type { ClassInfo, PyFile, WorkspaceIndex } from './workspace-index';

function styleOf(file: PyFile, cls?: ClassInfo): StyleFacts {
  const root = file.tree.rootNode;
  const docs = findAll(root, 'function_definition').map((f) => docstringOf(f)?.text ?? '');
  const google = docs.filter((d) => /^\s*(Args|Returns|Raises):\s*$/m.test(d)).length;
  const rest = docs.filter((d) => /^\s*:(param|returns?|raises)\b/m.test(d)).length;
  const firstIndented = findAll(root, 'block')[0];
  return {
    quote: dominantQuote(root),
    optionalStyle: cls
      ? optionalStyleOf(cls.node, file.source)
      : /\bOptional\[/.test(file.source)
        ? 'optional'
        : 'pipe',
    indent: firstIndented ? lineIndentAt(file.source, firstIndented.startIndex) || '    ' : '    ',
    docstringStyle: google > rest ? 'google' : rest > 0 ? 'rest' : 'none',
  };
}

/** What the refusals of a model that is not a Pydantic model tell the user the tool needs. */
const NEEDS_PYDANTIC =
  'The tool adds the field to a Pydantic V2 model (a class deriving from pydantic.BaseModel, with Field(...) constraints and validation) and carries it through the table, the service, the tool and the serializers: make the model (or define one for these rows) a pydantic.BaseModel subclass first, or add this field by hand.';

export function findModel(
  index: WorkspaceIndex,
  spec: FeatureSpec,
  change: FieldChange,
  i: number,
): { cls: ClassInfo; anchor: ModelAnchor } {
  const named = index.classes.filter((c) => c.name === change.model && !c.file.isTest);
  const scanned = index.files.filter((f) => !f.isTest).length;
  if (named.length === 0) {
    const models = pydanticModels(index).map((c) => c.name);
    specInvalid(
      `data_models.changes[${i}].model`,
      models.length > 0
        ? `unknown model "${change.model}" (searched every class in ${scanned} Python files; Pydantic models found: ${models.join(', ')})`
        : `unknown model "${change.model}": no class ${change.model} in ${scanned} Python files, and no Pydantic model at all (no class derives from pydantic.BaseModel: rows kept as plain dicts or tuples have no model to add a typed field to). ${NEEDS_PYDANTIC}`,
      { candidates: models },
    );
  }
  // A Pydantic class wins over a same-named dataclass or ORM row class elsewhere.
  const pydantic = named.filter((c) => modelKind(index, c).pydantic);
  const cls = pick(
    pydantic.length > 0 ? pydantic : named,
    spec.architecture.domain_models,
    `model class ${change.model}`,
    where,
  )!;
  const kind = modelKind(index, cls);
  if (!kind.pydantic) {
    specInvalid(
      `data_models.changes[${i}].model`,
      `${cls.name} (${where(cls)}) is ${kind.what}, not a Pydantic model. ${NEEDS_PYDANTIC}`,
      { kind: kind.what },
    );
  }
  // Besides what the body reads already, the new field's own line reads the typing names it is written with.
  const reads = new Set([
    ...namesReadByClassBody(cls.node),
    'Field',
    'Optional',
    'List',
    'Dict',
    'Annotated',
  ]);
  if (reads.has(change.field)) {
    specInvalid(
      `data_models.changes[${i}].field`,
      `"${change.field}" is a name the body of ${cls.name} (${where(cls)}) reads (in an annotation, a default or a decorator): a field of that name would rebind it inside the class and the model would break; choose another name`,
    );
  }
  const fields = classFields(cls.node);
  const config = cls.node
    .childForFieldName('body')
    ?.namedChildren.find((s) => s.namedChildren[0]?.childForFieldName('left')?.text === 'model_config');
  return {
    cls,
    anchor: {
      file: cls.file.path,
      module: cls.file.module,
      className: cls.name,
      range: rangeOf(cls.node),
      fields: fields.map((f) => ({
        name: f.name,
        annotation: f.annotation,
        line: f.stmt.startPosition.row + 1,
      })),
      modelConfigLine: config ? config.startPosition.row + 1 : undefined,
      style: styleOf(cls.file, cls),
    },
  };
}
