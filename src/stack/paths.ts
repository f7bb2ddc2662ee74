/** Where the tool keeps its data: `SPECIALIST_HOME`, or `.specialist/` in the tool's checkout. */
import path from 'node:path';
import { PROJECT_ROOT } from '../python/interpreter';

export function dataDir(): string {
  return process.env.SPECIALIST_HOME
    ? path.resolve(process.env.SPECIALIST_HOME)
    : path.join(PROJECT_ROOT, '.specialist');
}
