import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CommandHost } from '../../cli/context.ts';
import type { CheckScreensOptions } from '../../cli/program/check-screens.ts';
import type { EnqueueOptions } from '../../cli/program/enqueue.ts';
import { declareProgram } from '../../cli/program/index.ts';
import type { ReportOptions } from '../../cli/program/report.ts';
import type { RunOptions } from '../../cli/program/run.ts';
import type { WorkerOptions } from '../../cli/program/worker.ts';

/** The command line's declarations, parsed in this process: the host records what would run instead of running it. */
async function parse(...args: string[]) {
  const host = { ran: 0, service: false };
  const commandHost: CommandHost = {
    run: async () => void host.ran++,
    stopsOnSignal: () => void (host.service = true),
  };
  const program = declareProgram(commandHost);
  let stderr = '';
  const all = (c: CommandUnknownOpts): CommandUnknownOpts[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.configureOutput({ writeOut: () => undefined, writeErr: (s) => void (stderr += s) });
  const error = await program.parseAsync(args, { from: 'user' }).then(() => undefined, (e: unknown) => e);
  /** The options the command at this path was given. */
  const opts = (...path: string[]) => path.reduce<CommandUnknownOpts>((c, name) => c.commands.find((s) => s.name() === name)!, program).opts();
  return { ...host, error, stderr, opts };
}

describe('the command line, declared', () => {
  it('gives an action its options parsed: numbers, dates, lists, defaults, negations', async () => {
    const run = await parse('run', 'dipa-payment', '--input', 'a.csv', '--caisse', 'CPAM Lille-Douai', '--concurrency', '3', '--dry-run');
    expect(run.error).toBeUndefined();
    expect(run.ran).toBe(1);
    expect(run.opts('run')).toEqual({ input: 'a.csv', caisse: 'CPAM Lille-Douai', concurrency: 3, dryRun: true });

    const report = await parse('report', '--from', '2020', '--to', '2020');
    expect(report.opts('report')).toEqual({ by: 'scenario', format: 'table', from: new Date('2020-01-01T00:00:00Z'), to: new Date('2021-01-01T00:00:00Z') });

    const worker = await parse('worker', '--scenarios', 'dipa-payment, forfait-ps', '--grace', '5', '--no-drops');
    expect(worker.opts('worker')).toEqual({ scenarios: ['dipa-payment', 'forfait-ps'], grace: 5, drops: false });
    expect(worker.service).toBe(true);
    expect(run.service).toBe(false);

    const rejects = await parse('campaign', 'rejects', 'c-1', '--out', 'w.csv', '--redis', 'redis://127.0.0.1:6379');
    expect(rejects.opts('campaign', 'rejects')).toEqual({ out: 'w.csv', redis: 'redis://127.0.0.1:6379' });
  });

  it('refuses a bad value, a missing option or a period that ends before it starts as a bad argument, running nothing', async () => {
    for (const args of [
      ['run', 'dipa-payment', '--input', 'a.csv', '--caisse', 'C', '--concurrency', 'many'],
      ['report', '--from', '2021', '--to', '2020'],
      ['ledger', 'export', '--format', 'csv', '--out', 'x.csv', '--from', '2020-06', '--to', '2020-01'],
      ['enqueue', 'dipa-payment', '--input', 'a.csv', '--caisse', 'C', '--priority', '0'],
      ['run', 'dipa-payment', '--caisse', 'C'],
    ]) {
      const refused = await parse(...args);
      expect(refused.error, args.join(' ')).toBeInstanceOf(CommanderError);
      // cli/program.ts ends every commander error with exit code 2.
      expect((refused.error as CommanderError).code, args.join(' ')).toMatch(/^commander\.(invalidArgument|missingMandatoryOptionValue)$/);
      expect(refused.ran, args.join(' ')).toBe(0);
    }
    expect((await parse('report', '--from', '2021', '--to', '2020')).stderr).toMatch(/^error: --to must come after --from\n/);
  });

  it('types each command\'s options from its declaration', () => {
    expectTypeOf<RunOptions>().toEqualTypeOf<{ input: string; caisse: string; config?: string; concurrency?: number; headed?: true; dryRun?: true; json?: true }>();
    expectTypeOf<ReportOptions['by']>().toEqualTypeOf<'scenario' | 'caisse' | 'machine' | 'month' | 'year'>();
    expectTypeOf<ReportOptions['from']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<WorkerOptions['drops']>().toEqualTypeOf<boolean>();
    expectTypeOf<WorkerOptions['scenarios']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<EnqueueOptions['notBefore']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<CheckScreensOptions['input']>().toEqualTypeOf<string[]>();
  });

  it('imports no command\'s implementation until it runs', () => {
    const folder = fileURLToPath(new URL('../../cli/program/', import.meta.url));
    const sources = [...readdirSync(folder).map((f) => `${folder}${f}`), fileURLToPath(new URL('../../cli/options.ts', import.meta.url))];
    for (const file of sources) expect(readFileSync(file, 'utf8'), file).not.toMatch(/^import (?!type )[^;]*from '\.\.\/commands\//m);
    // A command run once: its module is imported by its action, not by the declarations.
    expect(readFileSync(`${folder}run.ts`, 'utf8')).toContain("await import('../commands/run.ts')");
  });

  it('starts without loading the queue, the browser, the workbook reader or the Redis client', async () => {
    // The packages `proweb --help` loaded, as Node's module cache holds them when the process exits.
    const folder = mkdtempSync(join(tmpdir(), 'proweb-startup-'));
    const probe = join(folder, 'probe.mjs');
    writeFileSync(probe, `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => process.stderr.write('packages: ' + JSON.stringify(Object.keys(cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean)) + '\\n'));
`);
    const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', probe, main, '--help']);
    expect(stdout).toContain('Usage: proweb');
    const loaded = JSON.parse(/^packages: (.*)$/m.exec(stderr)![1]!) as string[];
    expect(loaded).toContain('@commander-js/extra-typings');
    for (const heavy of ['bullmq', 'playwright-core', 'exceljs', 'ioredis']) expect(loaded).not.toContain(heavy);
  });
});
