import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Steps } from '../../scenarios/dsl/index.ts';

/** docs/writing-a-scenario.md must stay true to the code it teaches. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GUIDE = readFileSync(`${ROOT}docs/writing-a-scenario.md`, 'utf8');
/** The command line's declarations: cli/program.ts, and the per-command modules and shared options when they exist. */
const CLI = [
  `${ROOT}cli/program.ts`,
  `${ROOT}cli/options.ts`,
  ...(existsSync(`${ROOT}cli/program`) ? readdirSync(`${ROOT}cli/program`).map((f) => `${ROOT}cli/program/${f}`) : []),
].filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n');

/** The guide's fenced blocks of one language, with the line each starts on. */
function blocks(language: string): { line: number; lines: string[] }[] {
  const found: { line: number; lines: string[] }[] = [];
  const all = GUIDE.split('\n');
  for (let i = 0; i < all.length; i++) {
    if (all[i] !== `\`\`\`${language}`) continue;
    const start = i + 1;
    while (all[++i] !== '```') if (i >= all.length) throw new Error(`block at line ${start} is not closed`);
    found.push({ line: start, lines: all.slice(start, i) });
  }
  return found;
}

/** The first line of `excerpt` (trimmed, `// ...` elisions and blank lines aside) not found, in order, in `source`; undefined when all are. */
function missingLine(excerpt: string[], source: string): string | undefined {
  const lines = source.split('\n').map((l) => l.trim());
  let at = 0;
  for (const wanted of excerpt.map((l) => l.trim()).filter((l) => l !== '' && l !== '// ...')) {
    const found = lines.indexOf(wanted, at);
    if (found < 0) return wanted;
    at = found + 1;
  }
  return undefined;
}

describe('the "Writing a scenario" guide', () => {
  const code = blocks('ts');

  it('shows code only as excerpts of real files, each naming its file on its first line', () => {
    expect(code.length).toBeGreaterThanOrEqual(10);
    for (const block of code) {
      const file = /^\/\/ (\S+\.ts)$/.exec(block.lines[0] ?? '')?.[1];
      expect(file, `block at line ${block.line} names its file`).toBeDefined();
      expect(existsSync(`${ROOT}${file}`), `${file} (block at line ${block.line}) exists`).toBe(true);
    }
  });

  it.each(code.map((b) => [b.lines[0]!.slice(3), b.line, b.lines] as const))('has each line of its excerpt of %s (line %i) in that file, in order', (file, _, lines) => {
    expect(missingLine(lines.slice(1), readFileSync(`${ROOT}${file}`, 'utf8'))).toBeUndefined();
  });

  it('walks from an empty scenario file to its end-to-end test', () => {
    const files = code.map((b) => b.lines[0]!.slice(3));
    const order = ['scenarios/applications/progres.ts', 'scenarios/dipa-payment.ts', 'scenarios/catalogue.ts', 'tests/scenarios/dipa-payment.test.ts', 'tests/scenarios/dipa-payment.e2e.test.ts'];
    expect(order.map((f) => files.indexOf(f))).toEqual([...order.map((f) => files.indexOf(f))].sort((a, b) => a - b));
    expect(order.every((f) => files.includes(f))).toBe(true);
    expect(GUIDE).toContain('npx vitest run tests/scenarios/dipa-payment.test.ts tests/scenarios/dipa-payment.e2e.test.ts');
  });

  it('uses only proweb commands and options the command line has', () => {
    const commands = blocks('sh').flatMap((b) => b.lines).filter((l) => l.startsWith('npx proweb '));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const command of commands) {
      const [name, ...args] = command.replace(/\s+#.*$/, '').split(/\s+/).slice(2);
      expect(CLI, `proweb ${name}`).toMatch(new RegExp(`\\.command\\('${name}[ ')]`));
      for (const option of args.filter((a) => a.startsWith('--'))) expect(CLI, `${name} ${option}`).toContain(`'${option}`);
    }
  });

  it('lists in its reference table only steps the language has, and all of them', () => {
    const steps = Object.fromEntries(Object.getOwnPropertyNames(Steps.prototype).filter((n) => n !== 'constructor').map((n) => [n, true]));
    const table = GUIDE.slice(GUIDE.indexOf('### The steps'));
    const named = [...table.matchAll(/^\| `(\w+)\(/gm)].map((m) => m[1]!);
    const alsoNamed = [...table.matchAll(/^\| `\w+\([^`]*\)` \/ `(\w+)\(/gm)].map((m) => m[1]!);
    const all = [...named, ...alsoNamed];
    for (const name of all) expect(name === 'defineFlow' || name in steps, name).toBe(true);
    expect(new Set(all)).toEqual(new Set(Object.keys(steps)));
  });
});
