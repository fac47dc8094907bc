import cliProgress from 'cli-progress';

/** How a campaign's progress is shown: a bar on a terminal and plain lines otherwise (`auto`), or JSON lines. */
export type ProgressMode = 'auto' | 'json';

/** What a dossier's ending tells the progress display (nothing personal: the row number at most). */
export interface ProgressDetail {
  rowNumber?: number;
}

/**
 * Progress of a campaign: a bar on a terminal, a plain line every 10 % otherwise (logs, CI),
 * or in `json` mode one JSON object a line for a supervising program:
 * `{"event":"start","total":240}`, then one `{"event":"dossier","status":"done","rowNumber":7,"current":1,...}`
 * per dossier ended, then `{"event":"end",...}` with the counts.
 */
export interface Progress {
  start(total: number): void;
  tick(status: string, detail?: ProgressDetail): void;
  stop(): void;
}

export interface ProgressOptions {
  /** @defaultValue process.stderr */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** @defaultValue 'auto' */
  mode?: ProgressMode;
  /** Clock for rates and elapsed times (tests). @defaultValue performance.now */
  now?: () => number;
}

export function createProgress(options: ProgressOptions | NodeJS.WriteStream = {}): Progress {
  const { stream = process.stderr, mode = 'auto', now = () => performance.now() } =
    'write' in options ? { stream: options as NodeJS.WriteStream } : (options as ProgressOptions);
  const counts: Record<string, number> = { done: 0, rejected: 0, failed: 0 };
  let total = 0;
  let current = 0;
  let startedAt = 0;
  const rate = () => {
    const seconds = (now() - startedAt) / 1000;
    return seconds > 0 ? current / seconds : 0;
  };

  if (mode === 'json') {
    const emit = (event: Record<string, unknown>) => void stream.write(`${JSON.stringify(event)}\n`);
    const figures = () => ({ current, total, done: counts.done, rejected: counts.rejected, failed: counts.failed, elapsedMs: Math.round(now() - startedAt), ratePerSecond: Number(rate().toFixed(2)) });
    let stopped = false;
    return {
      start(n) {
        total = n;
        startedAt = now();
        emit({ event: 'start', total });
      },
      tick(status, detail = {}) {
        counts[status] = (counts[status] ?? 0) + 1;
        current++;
        emit({ event: 'dossier', status, ...(detail.rowNumber !== undefined ? { rowNumber: detail.rowNumber } : {}), ...figures() });
      },
      stop() {
        if (stopped) return;
        stopped = true;
        emit({ event: 'end', ...figures() });
      },
    };
  }

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: stream as NodeJS.WriteStream, format: '  {bar} {percentage}% | {value}/{total} dossiers | done {done} · rejected {rejected} · failed {failed} | {rate}/s | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    return {
      start(n) {
        total = n;
        startedAt = now();
        bar.start(n, 0, { ...counts, rate: '0.0' });
      },
      tick(status) {
        counts[status] = (counts[status] ?? 0) + 1;
        current++;
        bar.update(current, { ...counts, rate: rate().toFixed(1) });
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
