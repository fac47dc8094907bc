import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.ts';

const capture = () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination: stream }) };
};

describe('the logger', () => {
  it('never writes personal data in clear, at any depth a component puts it', () => {
    const { lines, logger } = capture();
    const child = logger.child({ module: 'robot' });
    child.info({ iban: 'FR7630006000011234567890189', nom: 'MARTIN Claire', nir: '184017512345678', password: 'secret', row: { numero_ps: '591123453' } }, 'dossier');
    child.info({ dossier: { iban: 'FR76...', lastName: 'MARTIN', firstName: 'Claire' } }, 'nested');
    const text = lines.join('');
    for (const secret of ['FR7630006000011234567890189', 'MARTIN', 'Claire', '184017512345678', 'secret', '591123453']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(JSON.parse(lines[0]!)).toMatchObject({ module: 'robot', msg: 'dossier' });
  });
});
