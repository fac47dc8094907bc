import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../cli/progress.ts';

const capture = (isTTY = false) => {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
};

describe('campaign progress', () => {
  it('writes one JSON line per dossier between a start and an end line, with counts and rate', () => {
    const out = capture();
    let clock = 0;
    const progress = createProgress({ stream: out.stream, mode: 'json', now: () => clock });
    progress.start(3);
    clock = 1000;
    progress.tick('done', { rowNumber: 2 });
    progress.tick('rejected', { rowNumber: 3 });
    clock = 2000;
    progress.tick('failed');
    progress.stop();
    progress.stop();
    const lines = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { event: 'start', total: 3 },
      { event: 'dossier', status: 'done', rowNumber: 2, current: 1, total: 3, done: 1, rejected: 0, failed: 0, elapsedMs: 1000, ratePerSecond: 1 },
      { event: 'dossier', status: 'rejected', rowNumber: 3, current: 2, total: 3, done: 1, rejected: 1, failed: 0, elapsedMs: 1000, ratePerSecond: 2 },
      { event: 'dossier', status: 'failed', current: 3, total: 3, done: 1, rejected: 1, failed: 1, elapsedMs: 2000, ratePerSecond: 1.5 },
      { event: 'end', current: 3, total: 3, done: 1, rejected: 1, failed: 1, elapsedMs: 2000, ratePerSecond: 1.5 },
    ]);
  });

  it('writes a plain line every 10 % when not on a terminal', () => {
    const out = capture();
    const progress = createProgress({ stream: out.stream });
    progress.start(20);
    for (let i = 0; i < 20; i++) progress.tick(i === 5 ? 'rejected' : 'done');
    progress.stop();
    const lines = out.text().trimEnd().split('\n');
    expect(lines[0]).toBe('  0/20 dossiers');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('  20/20 dossiers (done 19, rejected 1, failed 0)');
  });

  it('draws a bar on a terminal', () => {
    const out = capture(true);
    const progress = createProgress({ stream: out.stream });
    progress.start(2);
    progress.tick('done');
    progress.tick('done');
    progress.stop();
    expect(out.text()).toContain('2/2 dossiers | done 2 · rejected 0 · failed 0');
  });
});
