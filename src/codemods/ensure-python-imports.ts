/** Makes sure a module imports the names generated code uses. */
import { z } from 'zod';
import { parsePython } from '../python-syntax/parse';
import { finish, type Codemod } from './codemod';
import { importEdits } from './imports';

const options = z.object({
  imports: z.array(z.object({ module: z.string(), name: z.string().default('') })),
});

export const ensurePythonImports: Codemod<z.infer<typeof options>> = {
  id: 'ensure-python-imports',
  description:
    'Adds missing `from module import name` / `import module` lines (extending an existing `from module import` line when there is one); never removes or reorders imports, and ignores names already bound at module level.',
  options,
  transform(source, p) {
    const root = parsePython(source).rootNode;
    const { edits, changes } = importEdits(source, root, p.imports);
    return finish(source, edits, changes);
  },
};
