/** `specialist plan <spec.json> --workspace <dir> [--json]`: preview phases 1–5 as a diff, touching nothing. */
import path from 'node:path';
import type { Command } from 'commander';
import { readSpecFile } from '../spec-file';
import { planWorkspace } from './plan-workspace';

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Analyse a workspace and show the edits of phases 1–5 as a unified diff, touching nothing')
    .argument('<spec>', 'feature spec JSON file')
    .option('-w, --workspace <dir>', 'the Python project to plan for', '.')
    .option('--json', 'print the anchor map, the changes and the diff as JSON')
    .action(async (specFile: string, options: { workspace: string; json?: boolean }) => {
      const spec = readSpecFile(specFile);
      const root = path.resolve(options.workspace);
      const plan = await planWorkspace(root, spec);
      if (options.json) {
        const out = {
          feature: spec.feature,
          workspace: root,
          anchors: plan.anchors,
          files: plan.files.map((f) => f.path),
          changes: plan.changes,
          notes: plan.notes,
          diff: plan.diff,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      for (const change of plan.anchors.changes) {
        process.stdout.write(
          `# ${change.model}.${change.field} → table ${change.table} (${change.sqlType}), service ${change.service.className ? `${change.service.className}.` : `${change.service.module}.`}${change.serviceMethod}, ${change.route ? `route ${change.route.method.toUpperCase()} ${change.route.path}` : ''}${change.route && change.tool ? ' and ' : ''}${change.tool ? `tool ${change.tool.name}` : ''}\n`,
        );
        for (const line of change.inferred) process.stdout.write(`#   inferred ${line}\n`);
        for (const h of change.handEdits ?? [])
          process.stdout.write(
            `#   left to be edited by hand (handled_by_hand): ${h.site} (line ${h.line}, ${h.layer}): ${h.reason}\n`,
          );
      }
      for (const note of plan.notes) process.stdout.write(`# note: ${note}\n`);
      process.stdout.write(plan.diff || '# nothing to change: the feature is already implemented\n');
    });
}
