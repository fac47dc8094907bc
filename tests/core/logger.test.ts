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

  it('masks a NIR or an IBAN quoted in a message or in an error’s message, stack and cause, the line still one JSON object', () => {
    const { lines, logger } = capture();
    const nir = '185057512345678';
    const iban = 'FR7630006000011234567890189';
    logger.warn(`page.goto: net::ERR_CONNECTION_REFUSED at http://bdo.local/bdo/assures?nir=${nir}`);
    const cause = new Error(`virement refusé\n${iban}`);
    const err = new Error(`Refus : aucun assuré ne correspond au NIR 1 85 05 75 123 456 78.\n${nir}`, { cause });
    logger.error({ err }, 'dossier failed');
    logger.info({ detail: { reason: `IBAN ${iban.replace(/(.{4})/g, '$1 ').trim()}` } }, 'nested');
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of [nir, iban, '1 85 05 75 123 456 78', '123 456', '0001123456789']) expect(text).not.toContain(secret);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(logged[0]!.msg).toBe('page.goto: net::ERR_CONNECTION_REFUSED at http://bdo.local/bdo/assures?nir=1 85 ** ** *** *** 78');
    expect(logged[1]!.err.message).toContain('au NIR 1 85 ** ** *** *** 78.');
    expect(logged[1]!.err.stack).toMatch(/^Error: Refus/);
    expect(logged[1]!.err.stack).not.toContain(nir);
    expect(JSON.stringify(logged[1]!.err.cause ?? logged[1]!.err)).toContain('FR76 ****');
    expect(typeof logged[0]!.time).toBe('number');
  });
});
