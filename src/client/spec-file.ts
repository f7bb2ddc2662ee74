/**
 * Reading a feature spec file for `run`, `retry --spec` and `plan`: every problem named by its JSON
 * path, as one CliError (exit 2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { orderPlan } from '../dag/plan-dag';
import { SpecialistError } from '../errors';
import { parseFeatureSpec, SpecError, type FeatureSpec } from '../spec/feature-spec';
import { architecturePathProblems } from '../spec/workspace-paths';
import { CliError, terminalSafe } from './cli-error';

export function readSpecFile(file: string): FeatureSpec {
  const absolute = path.resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch (err) {
    throw new CliError(`cannot read the spec ${file}: ${(err as Error).message}`);
  }
  const text = specText(bytes, file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Printable excerpt only: the parser's message quotes the file.
    throw new CliError(`${file} is not valid JSON: ${terminalSafe((err as Error).message)}`);
  }
  try {
    const spec = parseFeatureSpec(json, file);
    orderPlan(spec.implementation_plan.phases);
    return spec;
  } catch (err) {
    if (err instanceof SpecError || err instanceof SpecialistError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * The file as text, or a CliError that says what it is without echoing it: binary content (NUL bytes,
 * invalid UTF-8) would otherwise reach the terminal through the JSON parser's message.
 */
function specText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  let problem = nul >= 0 ? `a NUL byte at offset ${nul}` : undefined;
  let text = '';
  if (!problem) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      problem = 'bytes that are not UTF-8';
    }
  }
  if (problem) throw new CliError(`${file} is not a text JSON file (${bytes.length} bytes, ${problem})`);
  return text.replace(/^\uFEFF/, '');
}

/** Exit 2 when an `architecture` path of the spec leads outside the workspace (checked before any run starts). */
export function refuseOutsidePaths(spec: FeatureSpec, workspace: string): void {
  const problems = architecturePathProblems(workspace, spec.architecture);
  if (problems.length > 0) throw new CliError(problems.join('\n'));
}
