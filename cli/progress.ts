import cliProgress from 'cli-progress';

/** Progress of a campaign: a bar on a terminal, a plain line every 10 % otherwise (logs, CI). */
export interface Progress {
  start(total: number): void;
  tick(status: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const counts: Record<string, number> = { done: 0, rejected: 0, failed: 0 };
  let total = 0;
  let current = 0;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: '  {bar} {percentage}% | {value}/{total} dossiers | done {done} · rejected {rejected} · failed {failed} | {rate}/s | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let startedAt = 0;
    return {
      start(n) {
        total = n;
        startedAt = performance.now();
        bar.start(n, 0, { ...counts, rate: '0.0' });
      },
      tick(status) {
        counts[status] = (counts[status] ?? 0) + 1;
        current++;
        bar.update(current, { ...counts, rate: (current / ((performance.now() - startedAt) / 1000)).toFixed(1) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let nextStep = 0.1;
  return {
    start(n) {
      total = n;
      stream.write(`  0/${n} dossiers\n`);
    },
    tick(status) {
      counts[status] = (counts[status] ?? 0) + 1;
      current++;
      if (current / total >= nextStep || current === total) {
        stream.write(`  ${current}/${total} dossiers (done ${counts.done}, rejected ${counts.rejected}, failed ${counts.failed})\n`);
        while (current / total >= nextStep) nextStep += 0.1;
      }
    },
    stop() {},
  };
}
