import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCommand } from '../../cli/commands/new.ts';
import { STARTER_APPLICATIONS, type StarterApplication } from '../../cli/scenario-starters/index.ts';
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

/** The scenario each application's starter is written as, in the one tree they share. */
const idOf = (application: StarterApplication) => `essai-${application}`;
const camelOf = (application: StarterApplication) => `essai${application[0]!.toUpperCase()}${application.slice(1)}`;

describe('proweb new', () => {
  let root: string;
  const printed = new Map<StarterApplication, string>();
  beforeAll(async () => {
    root = checkoutCopy();
    // Every application's starter in one tree: one type check for all, then one end-to-end run each.
    for (const application of STARTER_APPLICATIONS) {
      const { ctx, printed: output } = context();
      expect(await newCommand(idOf(application), { application, root }, ctx)).toBe(0);
      printed.set(application, output());
    }
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('writes, for each application, a scenario, a sample its schema accepts every row of, and an end-to-end test, which type-check', async () => {
    for (const application of STARTER_APPLICATIONS) {
      const id = idOf(application);
      const scenario = join(root, 'scenarios', `${id}.ts`);
      const sample = join(root, 'input', `${id}-sample.csv`);
      const test = join(root, 'tests', 'scenarios', `${id}.e2e.test.ts`);
      expect([scenario, sample, test].map((f) => existsSync(f)), application).toEqual([true, true, true]);
      expect(printed.get(application), application).toContain(camelOf(application));

      // Scenario language v2: no explicit generic, no CSS; the scenario drives its own application.
      const text = readFileSync(scenario, 'utf8');
      expect(text, application).not.toMatch(/defineScenario</);
      expect(text, application).not.toMatch(/\bcss\(/);
      const module = (await import(scenario)) as Record<string, unknown>;
      const defined = module[camelOf(application)] as { applications: { id: string }[] };
      expect(defined.applications.map((a) => a.id), application).toEqual([application]);

      // The sample: five rows, valid under the generated scenario's own schema.
      const schema = module[`${camelOf(application)}Row`] as { safeParse(raw: unknown): { success: boolean } };
      const rows: boolean[] = [];
      for await (const { raw } of readInputRows(sample)) rows.push(schema.safeParse(raw).success);
      expect(rows, application).toEqual([true, true, true, true, true]);
    }

    const typeCheck = await run(root, 'typescript/bin/tsc', ['--noEmit', '-p', 'tsconfig.json']);
    expect(typeCheck.output).toBe('');
    expect(typeCheck.code).toBe(0);
  });

  it.each(STARTER_APPLICATIONS)('writes for %s an end-to-end test that passes against the mock: each row entered once, nothing on a second run', async (application) => {
    const e2e = await run(root, 'vitest/vitest.mjs', ['run', `tests/scenarios/${idOf(application)}.e2e.test.ts`]);
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
    expect(await newCommand('ailleurs', { application: 'grh', root, sample: elsewhere }, ctx)).toBe(0);
    expect(existsSync(elsewhere)).toBe(true);
    expect(readFileSync(join(root, 'tests', 'scenarios', 'ailleurs.e2e.test.ts'), 'utf8')).toContain("new URL('../../donnees/essai.csv', import.meta.url)");
  });

  it('cuts the motif it types (the scenario id) to what the form\'s field holds: a longer one would be a form error, not a refusal', async () => {
    const id = `essai-${'tres-long-'.repeat(8)}fin`;
    expect(id.length).toBeGreaterThan(70);
    expect(await newCommand(id, { application: 'grh', root }, context().ctx)).toBe(0);
    expect(readFileSync(join(root, 'scenarios', `${id}.ts`), 'utf8')).toContain(`.fill('saisieEvp.motif', '${id.slice(0, 70)}')`);
  });

  it('lists the applications in its help, and refuses a bad id, a read-only application and an unknown one at the command line, writing nothing', async () => {
    const help = await runCli(['new', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`--application <id>  the application the scenario drives: ${STARTER_APPLICATIONS.join(', ')}`);

    const badId = await runCli(['new', 'Mon_Scenario', '--application', 'progres']);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('is not a scenario id');
    // ameli pro takes no entry: nothing to start from, and the message says which applications have a starter.
    const readOnly = await runCli(['new', 'essai', '--application', 'ameli-pro']);
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toContain("argument 'ameli-pro' is invalid. ameli pro is read-only");
    expect(readOnly.stderr).toContain('proweb new writes a starter for progres, grh, ij, bdo.');
    const unknown = await runCli(['new', 'essai', '--application', 'inconnue']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"inconnue" is not an application of the mock back office that takes an entry; proweb new writes a starter for progres, grh, ij, bdo.');
    expect(existsSync(join(ROOT, 'scenarios', 'essai.ts'))).toBe(false);
    // Called from code, the command gives the same reason.
    await expect(newCommand('essai', { application: 'ameli-pro' as StarterApplication, root }, context().ctx)).rejects.toThrow(/no starter for application "ameli-pro"/);
  });
});
