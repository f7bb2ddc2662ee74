/** The serializers (`*_to_dict`-like functions) that take the model and write its fields out. */
import { rangeOf } from '../python-syntax/parse';
import { modelParameter, SERIALIZER_NAME } from '../codemods/add-serializer-field';
import type { SerializerAnchor } from './anchor-map';
import type { WorkspaceIndex } from './workspace-index';

export function findSerializers(index: WorkspaceIndex, model: string): SerializerAnchor[] {
  return index.functions
    .filter((f) => !f.file.isTest && SERIALIZER_NAME.test(f.name) && modelParameter(f.node, model))
    .map((f) => ({
      file: f.file.path,
      module: f.file.module,
      function: f.name,
      className: f.className,
      range: rangeOf(f.node),
      variable: modelParameter(f.node, model)!,
    }));
}
