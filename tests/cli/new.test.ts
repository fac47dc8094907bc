import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommand } from '../../cli/commands/new.ts';
import { Closer } from '../../cli/closer.ts';
import type { CommandContext } from '../../cli/context.ts';
import { silentLogger } from '../../core/logger.ts';
import { readInputRows } from '../../input/index.ts';
import { runCli } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A copy of the checkout to generate into: its own `scenarios/` and `tests/scenarios/`
 * folders (what `new` writes), every other part linked to the real one, so that the
 * generated files are type-checked and run against the real code without touching it.
 */
function checkoutCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'proweb-new-'));
  for (const entry of readdirSync(ROOT)) {
    if (['scenarios', 'tests', '.git', '.proweb', 'input', 'vitest.config.ts', 'tsconfig.json'].includes(entry)) continue;
    symlinkSync(join(ROOT, entry), join(root, entry));
  }
  // `input/` holds the input readers and, by default, the sample `new` writes.
  for (const folder of ['scenarios', 'input']) {
    mkdirSync(join(root, folder));
    for (const entry of readdirSync(join(ROOT, folder))) symlinkSync(join(ROOT, folder, entry), join(root, folder, entry));
  }
  mkdirSync(join(root, 'tests', 'scenarios'), { recursive: true });
  symlinkSync(join(ROOT, 'tests', 'support'), join(root, 'tests', 'support'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), include: ['scenarios', 'tests/scenarios'] }));
  // The repository's limits, without its JSON reporter (it would write into the real checkout's .proweb).
  writeFileSync(join(root, 'vitest.config.ts'), "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['tests/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 60_000, pool: 'forks' } });\n");
  return root;
}

/** Runs a program of the checkout's node_modules in `cwd`; resolves with its exit code and output. */
function run(cwd: string, bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', bin), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function context(): { ctx: CommandContext; printed: () => string } {
  let printed = '';
  return { ctx: { closer: new Closer(), out: (t) => void (printed += t), openLogger: () => silentLogger }, printed: () => printed };
}

describe('proweb new', () => {
  let root: string;
  beforeAll(() => {
    root = checkoutCopy();
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes a scenario, a sample file and an end-to-end test that type-check and pass against the mock Progrès', async () => {
    const { ctx, printed } = context();
    expect(await newCommand('remboursement-essai', { application: 'progres', root }, ctx)).toBe(0);
    const scenario = join(root, 'scenarios', 'remboursement-essai.ts');
    const sample = join(root, 'input', 'remboursement-essai-sample.csv');
    const test = join(root, 'tests', 'scenarios', 'remboursement-essai.e2e.test.ts');
    expect([scenario, sample, test].map((f) => existsSync(f))).toEqual([true, true, true]);
    expect(printed()).toContain('remboursementEssai');

    // The sample: valid rows under the generated scenario's own schema.
    const { remboursementEssaiRow } = (await import(scenario)) as { remboursementEssaiRow: { safeParse(raw: unknown): { success: boolean } } };
    const rows: boolean[] = [];
    for await (const { raw } of readInputRows(sample)) rows.push(remboursementEssaiRow.safeParse(raw).success);
    expect(rows).toEqual([true, true, true, true, true]);

    const typeCheck = await run(root, 'typescript/bin/tsc', ['--noEmit', '-p', 'tsconfig.json']);
    expect(typeCheck.output).toBe('');
    expect(typeCheck.code).toBe(0);

    const e2e = await run(root, 'vitest/vitest.mjs', ['run', 'tests/scenarios/remboursement-essai.e2e.test.ts']);
    expect(e2e.output).toMatch(/1 passed/);
    expect(e2e.code).toBe(0);
  });

  it('overwrites nothing: with any of its files there already, it writes none', async () => {
    const { ctx } = context();
    writeFileSync(join(root, 'input', 'deja-la-sample.csv'), 'mine\n');
    await expect(newCommand('deja-la', { application: 'progres', root }, ctx)).rejects.toThrow(/already exists; proweb new overwrites nothing/);
    expect(readFileSync(join(root, 'input', 'deja-la-sample.csv'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(root, 'scenarios', 'deja-la.ts'))).toBe(false);
    expect(existsSync(join(root, 'tests', 'scenarios', 'deja-la.e2e.test.ts'))).toBe(false);
  });

  it('writes the sample where --sample says, and the test reads it there', async () => {
    const { ctx } = context();
    const elsewhere = join(root, 'donnees', 'essai.csv');
    expect(await newCommand('ailleurs', { application: 'progres', root, sample: elsewhere }, ctx)).toBe(0);
    expect(existsSync(elsewhere)).toBe(true);
    expect(readFileSync(join(root, 'tests', 'scenarios', 'ailleurs.e2e.test.ts'), 'utf8')).toContain("new URL('../../donnees/essai.csv', import.meta.url)");
  });

  it('refuses a bad id and an application it has no starter for, at the command line, writing nothing', async () => {
    const badId = await runCli(['new', 'Mon_Scenario', '--application', 'progres']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('is not a scenario id');
    const noStarter = await runCli(['new', 'essai', '--application', 'inconnue']);
    expect(noStarter.code).toBe(1);
    expect(noStarter.stderr).toContain('no starter for application "inconnue"');
    expect(existsSync(join(ROOT, 'scenarios', 'essai.ts'))).toBe(false);
  });
});
