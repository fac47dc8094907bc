import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Closer } from '../../cli/closer.ts';
import { validateCommand } from '../../cli/commands/validate.ts';
import type { CommandContext } from '../../cli/context.ts';
import { InputFileError } from '../../core/errors.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/data/', import.meta.url));

function context(): CommandContext & { output: () => string } {
  let output = '';
  return {
    closer: new Closer(),
    out: (text) => void (output += text),
    openLogger: () => {
      throw new Error('validate needs no logger');
    },
    output: () => output,
  };
}

/** A copy of a fixture in a fresh folder, so that no rejection file lands in fixtures/data. */
async function copyOf(name: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'proweb-test-validate-')), name);
  await copyFile(join(FIXTURES, name), file);
  return file;
}

describe('proweb validate', () => {
  it('reports the 6 bad rows of the demo file, writes them to correct, and exits 1', async () => {
    const file = await copyOf('dipa-demo.csv');
    const ctx = context();
    expect(await validateCommand('dipa-payment', { input: file }, ctx)).toBe(1);
    const lines = ctx.output().trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('dipa-demo.csv row 22, aide_calculee: "douze euros" is not a positive amount in euros');
    expect(lines.slice(0, 6).every((l) => /^dipa-demo\.csv row \d+, [a-z_]+: /.test(l))).toBe(true);
    const rejected = file.replace(/\.csv$/, '.rejets.csv');
    expect(lines[6]).toBe(`240 rows: 234 valid, 6 invalid; rejected rows written to ${rejected}`);
    const written = (await readFile(rejected, 'utf8')).split('\r\n');
    expect(written).toHaveLength(1 + 6 + 1);
    expect(written[1]).toMatch(/;22;"aide_calculee: /);
    expect(readdirSync(FIXTURES).some((f) => f.includes('rejets'))).toBe(false);
  });

  it('exits 0 and leaves no rejection file when every row is valid', async () => {
    const demo = await readFile(join(FIXTURES, 'dipa-demo.csv'), 'utf8');
    const file = join(await mkdtemp(join(tmpdir(), 'proweb-test-validate-')), 'dipa.csv');
    await writeFile(file, demo.split('\r\n').slice(0, 11).join('\r\n'));
    const ctx = context();
    expect(await validateCommand('dipa-payment', { input: file }, ctx)).toBe(0);
    expect(ctx.output()).toBe('10 rows: 10 valid, 0 invalid\n');
    expect(existsSync(file.replace(/\.csv$/, '.rejets.csv'))).toBe(false);
  });

  it('lets an unreadable file fail as bad input', async () => {
    await expect(validateCommand('dipa-payment', { input: '/nonexistent/dipa.csv' }, context())).rejects.toBeInstanceOf(InputFileError);
    await expect(validateCommand('dipa-payment', { input: '/nonexistent/dipa.ods' }, context())).rejects.toThrow('unsupported file type .ods');
  });
});
