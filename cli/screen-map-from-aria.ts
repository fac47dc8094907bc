import type { AriaNode, ScreenReading } from '../runner/aria-map.ts';

/** ARIA roles of what a person types into or chooses: found by their label. */
const FIELD_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'listbox', 'spinbutton', 'checkbox', 'radio', 'slider', 'switch']);
/** Parts of every screen of an application (its header and footer), not of this screen. */
const FRAME_ROLES = new Set(['banner', 'contentinfo']);

/** One element of the entry, before it is named. */
interface Found {
  /** What the element is called after: its label, name or role. */
  words: string;
  /** The DSL call: `label('Montant (€)')`. */
  target: string;
  helper: 'label' | 'button' | 'link' | 'role' | 'css';
  /** A TSDoc line above it, when the author must know something. */
  note?: string;
}

/** `'Montant (€)'` as a TypeScript string literal. */
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * A camelCase identifier from what a person reads: "Mode de règlement" → `modeDeReglement`,
 * "Montant (€)" → `montant` (accents and bracketed units dropped).
 */
export function camelName(words: string): string {
  const parts = words
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\([^)]*\)/g, ' ')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
  const name = parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
  if (name === '') return 'element';
  return /^[0-9]/.test(name) ? `champ${name}` : name;
}

/** The screen's name from its path: `/progres/paiement/nouveau` of `progres` → `paiementNouveau`. */
export function screenNameOf(path: string, applicationId: string): string {
  const segments = path.split('?')[0]!.split('/').filter(Boolean);
  const own = segments[0] && camelName(segments[0]) === camelName(applicationId) ? segments.slice(1) : segments;
  const name = camelName(own.filter((s) => !/\d/.test(s)).join(' '));
  return name === 'element' ? 'accueil' : name;
}

/**
 * The path as a screen map writes it: each query value becomes a `{placeholder}` named after
 * its parameter, which the step builder's `.open(screen, { … })` fills. The values read are
 * never printed: a NIR or a PS number in an address is personal data.
 */
export function pathWithPlaceholders(path: string): string {
  const [base, query] = path.split('?', 2) as [string, string | undefined];
  if (!query) return base;
  const names = new URLSearchParams(query);
  return `${base}?${[...names.keys()].map((k) => `${k}={${camelName(k)}}`).join('&')}`;
}

/** Every string in a subtree, for the column headers of a table. */
function namesOf(node: AriaNode, role: string): string[] {
  const out: string[] = [];
  const walk = (n: AriaNode | string) => {
    if (typeof n === 'string') return;
    if (n.role === role && n.name) out.push(n.name);
    for (const c of n.children ?? []) walk(c as AriaNode | string);
  };
  walk(node);
  return out;
}

/** The elements a person reads on the screen, in page order. */
function elementsOf(reading: ScreenReading): Found[] {
  const found: Found[] = [];
  let tableIndex = 0;
  const walk = (node: AriaNode | string, inTable: boolean) => {
    if (typeof node === 'string') return;
    if (FRAME_ROLES.has(node.role)) return;
    const name = node.name?.trim() ?? '';
    if (node.role === 'table') {
      const id = reading.tableIds[tableIndex++] ?? '';
      const columns = namesOf(node, 'columnheader');
      const rows = namesOf(node, 'rowheader');
      const heads = columns.length ? `columns: ${columns.join(', ')}` : rows.length ? `rows: ${rows.join(', ')}` : 'a table';
      if (name) found.push({ words: name, target: `role('table', ${quote(name)})`, helper: 'role', note: heads });
      else if (id) found.push({ words: id, target: `css(${quote(`#${id}`)})`, helper: 'css', note: `${heads} (no caption names it: its id)` });
      else found.push({ words: `tableau ${tableIndex}`, target: `role('table')`, helper: 'role', note: `${heads}; neither a caption nor an id: give it a narrower target if the screen has other tables` });
      for (const c of node.children ?? []) walk(c as AriaNode | string, true);
      return;
    }
    if (FIELD_ROLES.has(node.role) && name && name !== node.placeholder) {
      found.push({ words: name, target: `label(${quote(name)})`, helper: 'label' });
    } else if (!inTable && node.role === 'button' && name) {
      found.push({ words: name, target: `button(${quote(name)})`, helper: 'button' });
    } else if (!inTable && node.role === 'link' && name) {
      found.push({ words: name, target: `link(${quote(name)})`, helper: 'link' });
    } else if (node.role === 'alert' || node.role === 'status') {
      // Its text is not printed: a message may quote a name or a number.
      found.push({ words: node.role === 'alert' ? 'erreur' : 'message', target: `role(${quote(node.role)})`, helper: 'role', note: `shown on this visit; its text is left out (it may quote personal data)` });
    }
    // Buttons and links of a table's rows belong to one record each: the table stands for them.
    for (const c of node.children ?? []) walk(c as AriaNode | string, inTable);
  };
  for (const n of reading.nodes) walk(n, false);
  for (const f of reading.unlabelledFields) {
    found.push({ words: f.css.replace(/^#|\[name="|"\]$/g, ' '), target: `css(${quote(f.css)})`, helper: 'css', note: `${f.kind} that no label names: CSS is all that finds it` });
  }
  return found;
}

/**
 * A screen-map entry, ready to paste under `screens:` of the application's definition:
 * fields by `label(...)`, buttons, links, alerts and tables by role, CSS only for what
 * nothing a person reads identifies. `optional` and `personal` are left to the author,
 * who knows what shows only sometimes and what is personal; the entry's comments say so.
 */
export function screenMapEntry(reading: ScreenReading, applicationId: string, screenName = screenNameOf(reading.landedOn, applicationId)): string {
  const found = elementsOf(reading);
  const taken = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const f of found) counts.set(f.target, (counts.get(f.target) ?? 0) + 1);
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    if (seen.has(f.target)) continue;
    seen.add(f.target);
    const base = camelName(f.words);
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    const name = n === 1 ? base : `${base}${n}`;
    const times = counts.get(f.target)!;
    const note = [f.note, times > 1 ? `found ${times} times on this screen: narrow it (a label, a role with its name, an id) before a step uses it` : undefined].filter(Boolean).join('; ');
    if (note) lines.push(`      /** ${note} */`);
    lines.push(`      ${name}: ${f.target},`);
  }
  const helpers = [...new Set(found.map((f) => f.helper))].sort();
  const path = pathWithPlaceholders(reading.landedOn);
  return [
    `// proweb map ${applicationId} ${path}: paste under \`screens:\` in scenarios/applications/${applicationId}.ts, then`,
    '// rename the elements as the procedure does, mark personal(...) each that shows personal data',
    '// (a name, a NIR, an IBAN, a record, a table of people) and optional(...) each that shows only',
    '// in some cases (a message, a row): your call, one visit cannot tell. Links and buttons inside',
    "// tables are left out (one per record), and the application's header and footer too.",
    `// Uses: ${helpers.join(', ')} (from '../dsl/index.ts').`,
    `    ${screenName}: {`,
    `      path: ${quote(path)},`,
    '      elements: {',
    ...lines.map((l) => `  ${l}`),
    '      },',
    '    },',
    '',
  ].join('\n');
}
