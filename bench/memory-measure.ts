/** Timing helpers for the memory benchmark: run N operations at a fixed concurrency, report p50/p99/throughput. */

export interface Measurement {
  operations: number;
  p50Ms: number;
  p99Ms: number;
  opsPerSecond: number;
}

export interface Comparison {
  store: Measurement;
  barePg: Measurement;
  /** store ÷ bare pg for latencies, bare pg ÷ store for throughput: how many times slower the store is. */
  ratio: { p50: number; p99: number; throughput: number };
}

/** A running sample of latencies for one operation. */
export class Sampler {
  private readonly latencies: number[] = [];
  private elapsedMs = 0;

  /** Runs `op(i)` for every i in [from, to) with `concurrency` in flight, recording each latency. */
  async run(
    from: number,
    to: number,
    concurrency: number,
    op: (i: number) => Promise<unknown>,
  ): Promise<void> {
    let next = from;
    const started = performance.now();
    const lane = async () => {
      while (next < to) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        this.latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    this.elapsedMs += performance.now() - started;
  }

  result(): Measurement {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      operations: sorted.length,
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      opsPerSecond: Math.round((sorted.length / this.elapsedMs) * 1000),
    };
  }
}

/**
 * Measures the store and the bare query over the same `count` operations, alternating blocks of
 * `block` so that both see the same machine (other work on a shared machine comes and goes).
 */
export async function compare(
  count: number,
  concurrency: number,
  store: (i: number) => Promise<unknown>,
  bare: (i: number) => Promise<unknown>,
  block = 500,
): Promise<Comparison> {
  const s = new Sampler();
  const b = new Sampler();
  for (let from = 0; from < count; from += block) {
    const to = Math.min(count, from + block);
    await s.run(from, to, concurrency, store);
    await b.run(from, to, concurrency, bare);
  }
  const storeResult = s.result();
  const bareResult = b.result();
  return {
    store: storeResult,
    barePg: bareResult,
    ratio: {
      p50: round(storeResult.p50Ms / bareResult.p50Ms),
      p99: round(storeResult.p99Ms / bareResult.p99Ms),
      throughput: round(bareResult.opsPerSecond / storeResult.opsPerSecond),
    },
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
