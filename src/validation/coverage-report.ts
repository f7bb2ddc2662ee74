/**
 * Reads coverage.py's JSON report (`--cov-report=json:<file>`): the total line coverage and the
 * coverage of each touched module.
 */
import path from 'node:path';

export interface CoverageSummary {
  /** Percent of statements covered over every measured file, one decimal. */
  totalPercent: number;
  /** Workspace-relative path (forward slashes) → percent covered, one decimal. */
  files: Record<string, number>;
}

interface RawCoverage {
  files?: Record<string, { summary?: { percent_covered?: number } }>;
  totals?: { percent_covered?: number };
}

const oneDecimal = (value: number) => Math.round(value * 10) / 10;

/** Paths in the report are relative to pytest's working directory (the workspace root) or absolute. */
function relative(root: string, file: string): string {
  const absolute = path.isAbsolute(file) ? file : path.join(root, file);
  return path.relative(root, absolute).split(path.sep).join('/');
}

export function parseCoverageJson(json: string, root: string): CoverageSummary {
  const raw = JSON.parse(json) as RawCoverage;
  const files: Record<string, number> = {};
  for (const [file, data] of Object.entries(raw.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    files[relative(root, file)] = oneDecimal(data.summary?.percent_covered ?? 0);
  }
  return { totalPercent: oneDecimal(raw.totals?.percent_covered ?? 0), files };
}

/**
 * Coverage of each touched Python module that coverage measured. A touched file that coverage did not
 * see at all (never imported) counts as 0: that is what it is.
 */
export function touchedCoverage(summary: CoverageSummary, touched: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const file of [...touched].sort()) {
    const key = file.split(path.sep).join('/');
    if (!key.endsWith('.py')) continue;
    result[key] = summary.files[key] ?? 0;
  }
  return result;
}
