/**
 * `npm run bench -- codemods [iterations] [spec]`: time to analyse a sample and apply phases 1–5 when
 * its database module is padded to ~1,500 lines. Prints one JSON object: analysis alone, the five
 * phases in memory (`planFeature`), and the five phases applied to disk with their checks
 * (`applyEditPhase`: writes, py_compile, the model probe and the migration checks), as min/median/max
 * milliseconds.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeWorkspace } from '../src/analysis/analyze-workspace';
import { applyEditPhase } from '../src/phases/edit-phases';
import { EDIT_PHASES } from '../src/phases/phase-codemods';
import { planFeature } from '../src/phases/plan-feature';
import { parseFeatureSpec } from '../src/spec/feature-spec';
import { padDatabaseModule } from './codemods-padding';

const REPO = path.resolve(__dirname, '..');
const DATABASE = 'src/taskqueue/infrastructure/database.py';

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    min: round(sorted[0]!),
    median: round(sorted[Math.floor(sorted.length / 2)]!),
    max: round(sorted[sorted.length - 1]!),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export async function main(args: string[] = []): Promise<void> {
  const iterations = Number(args[0] ?? 5);
  const specName = args[1] ?? 'task-summary';
  const spec = parseFeatureSpec(
    JSON.parse(readFileSync(path.join(REPO, 'examples', 'specs', `${specName}.json`), 'utf8')),
    specName,
  );
  const work = mkdtempSync(path.join(os.tmpdir(), 'specialist-bench-codemods-'));
  const template = path.join(work, 'template');
  try {
    cpSync(path.join(REPO, 'examples', 'taskqueue'), template, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.pytest_cache|\.mypy_cache)$/.test(src),
    });
    const padded = padDatabaseModule(readFileSync(path.join(template, DATABASE), 'utf8'), 1500);
    writeFileSync(path.join(template, DATABASE), padded);
    const analyze: number[] = [];
    const plan: number[] = [];
    const apply: number[] = [];
    const perPhase: Record<string, number[]> = Object.fromEntries(EDIT_PHASES.map((p) => [p, []]));
    let filesModified = new Set<string>();
    let linesChanged = 0;
    for (let i = 0; i < iterations + 1; i++) {
      const ws = path.join(work, `run-${i}`);
      cpSync(template, ws, { recursive: true });
      const [anchors, tAnalyze] = await timed(() => analyzeWorkspace(ws, spec));
      const [planned, tPlan] = await timed(() => planFeature(ws, spec));
      let tApply = 0;
      const files = new Set<string>();
      for (const phase of EDIT_PHASES) {
        const [result, t] = await timed(() => applyEditPhase(ws, spec, phase, anchors));
        result.filesModified.forEach((f) => files.add(f));
        tApply += t;
        if (i > 0) perPhase[phase]!.push(t);
      }
      if (i === 0) {
        // Warm-up: the first run pays for loading tree-sitter and Python's own start.
        filesModified = files;
        linesChanged = planned.diff.split('\n').filter((l) => /^[+-][^+-]/.test(l)).length;
      } else {
        analyze.push(tAnalyze);
        plan.push(tPlan);
        apply.push(tApply);
      }
      rmSync(ws, { recursive: true, force: true });
    }
    const result = {
      bench: 'codemods',
      sample: 'examples/taskqueue',
      spec: specName,
      databaseModuleLines: padded.split('\n').length,
      iterations,
      filesModified: [...filesModified].sort(),
      diffLinesChanged: linesChanged,
      analyzeMs: stats(analyze),
      planAllPhasesInMemoryMs: stats(plan),
      applyAllPhasesToDiskMs: stats(apply),
      applyPerPhaseMs: Object.fromEntries(Object.entries(perPhase).map(([k, v]) => [k, stats(v)])),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
