import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { roundTo } from './etp.ts';
import { frenchLength, frenchNumber, frenchPercent } from './french.ts';
import { spanOf } from './format.ts';
import type { GainGrouping, GainReport, GainRow } from './report.ts';

/**
 * What the charts draw, embedded in the page as JSON (tests read it back to compare
 * with the charts). Hours are rounded to a tenth, ETP to a hundredth.
 */
export interface GainChartData {
  months: { labels: string[]; keys: string[]; dossiers: number[]; hoursSaved: number[]; machines: number[] };
  scenarios: { labels: string[]; etp: number[] };
}

const NBSP = '\u00a0';
const THIN = '\u202f';
const num = (value: number, decimals: number) => frenchNumber(value, decimals, THIN);
const pct = (ratio: number | null, decimals = 0, signed = false) => frenchPercent(ratio, decimals, { signed, space: THIN });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that cannot close the script element it sits in. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const GROUP_LABEL: Record<GainGrouping, string> = { scenario: 'Scénario', caisse: 'Caisse', machine: 'Machine', month: 'Mois', year: 'Année' };

const monthName = (key: string, style: 'short' | 'long') =>
  new Date(`${key}-01T00:00:00Z`).toLocaleDateString('fr-FR', { month: style, year: 'numeric', timeZone: 'UTC' });
const day = (iso: string) => new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'UTC' });
/** The last day of a period whose `to` is excluded. */
const lastDay = (iso: string) => day(new Date(Date.parse(iso) - 1).toISOString());

function periodText(report: GainReport): string {
  const { from, to } = report.period;
  if (from && to) return `du ${day(from)} au ${lastDay(to)}`;
  if (to) return `jusqu’au ${lastDay(to)}`;
  const first = report.months[0]?.group;
  const last = report.months.at(-1)?.group;
  if (!first || !last) return 'tout le registre (vide)';
  return first === last ? `${monthName(first, 'long')}` : `de ${monthName(first, 'long')} à ${monthName(last, 'long')}`;
}

/**
 * The one line that says what ETP means here: a rate over the period, not a sum of years;
 * the cumulative figure only as "années-ETP".
 */
function etpText(report: GainReport): string {
  const formula = `ETP : heures gagnées ÷ (${num(report.hoursPerEtp, 0)}${NBSP}h × durée de la période en années), soit des personnes à temps plein sur cette période`;
  const span = spanOf(report);
  if (!span) return `${formula}.`;
  const over = `${day(span.from.toISOString())} – ${lastDay(span.to.toISOString())}, ${frenchLength(span)}${report.period.from || report.period.to ? '' : ', les mois couverts par le registre'}`;
  if (report.by === 'month') return `${formula} : chaque mois sur son mois (ou sa part dans la période), le total sur la période (${over}).`;
  if (report.by === 'year') return `${formula} : chaque année sur son année (ou sa part dans la période), le total sur la période (${over}).`;
  return `${formula} : chaque ligne sur la période (${over}).`;
}

/** The chart series of a report. */
export function chartDataOf(report: GainReport): GainChartData {
  const scenarios = [...report.scenarios].sort((a, b) => b.etp - a.etp || a.group.localeCompare(b.group, 'fr'));
  return {
    months: {
      keys: report.months.map((m) => m.group),
      labels: report.months.map((m) => monthName(m.group, 'short')),
      dossiers: report.months.map((m) => m.dossiers),
      hoursSaved: report.months.map((m) => roundTo(m.hoursSaved, 1)),
      machines: report.months.map((m) => m.machines),
    },
    scenarios: { labels: scenarios.map((s) => s.group), etp: scenarios.map((s) => roundTo(s.etp, 2)) },
  };
}

let chartLibrary: Promise<string> | undefined;

/** Chart.js's standalone build, inlined so that the page needs no network (its licence banner kept). */
function chartJs(): Promise<string> {
  chartLibrary ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('chart.js'));
    const code = await readFile(join(dist, 'chart.umd.min.js'), 'utf8');
    return code.replace(/\/\/# sourceMappingURL=\S+\s*$/, '').replace(/<\/(script)/gi, '<\\/$1');
  })();
  return chartLibrary;
}

function kpi(label: string, value: string, note = ''): string {
  return `<div class="kpi"><div class="kpi-label">${escapeHtml(label)}</div><div class="kpi-value">${escapeHtml(value)}</div>${note ? `<div class="kpi-note">${escapeHtml(note)}</div>` : ''}</div>`;
}

function growthCell(row: GainRow): string {
  const g = row.growth?.dossiers ?? null;
  const cls = g === null ? '' : g >= 0 ? ' class="up"' : ' class="down"';
  return `<td${cls}>${escapeHtml(pct(g, 0, true))}</td>`;
}

/** Decimals that keep small figures readable (a demo's 0,02 ETP) and large ones plain (390 ETP, 532 242 h). */
interface Precision {
  hours: number;
  etp: number;
  robotHours: number;
}

/** Under the ETP figure: the length it is over, and the cumulative années-ETP when that is not the same figure. */
function etpNote(report: GainReport): string {
  const span = spanOf(report);
  if (!span) return `1 ETP = ${num(report.hoursPerEtp, 0)}${NBSP}h gagnées par an`;
  const { total } = report;
  const cumulative = Math.abs(total.years - 1) > 1e-9 ? ` · ${num(total.etpYears, precisionOf(total).etp)} années-ETP cumulées` : '';
  return `en moyenne sur ${frenchLength(span)}${cumulative}`;
}

const precisionOf = (total: GainRow): Precision => ({
  hours: Math.abs(total.hoursSaved) >= 100 ? 0 : 1,
  etp: Math.abs(total.etp) >= 10 ? 1 : 2,
  robotHours: total.robotHours >= 100 ? 0 : total.robotHours >= 1 ? 1 : 2,
});

function tableRow(row: GainRow, by: GainGrouping, p: Precision, total = false): string {
  const name = total ? 'Total' : by === 'month' ? monthName(row.group, 'long') : row.group;
  return `<tr${total ? ' class="total"' : ''}><th scope="row">${escapeHtml(name)}</th><td>${num(row.dossiers, 0)}</td><td>${num(row.rejected, 0)}</td><td>${num(row.failed, 0)}</td>` +
    `<td>${escapeHtml(pct(row.successRate, 1))}</td><td>${num(row.hoursSaved, p.hours)}</td><td>${num(row.etp, p.etp)}</td><td>${num(row.robotHours, p.robotHours)}</td>` +
    `<td>${num(row.machines, 0)}</td>${growthCell(row)}</tr>`;
}

const STYLE = `
:root { --ink:#1d2433; --muted:#5b6475; --line:#e3e7ee; --bg:#f5f7fa; --card:#fff; --blue:#0c419a; --teal:#2a9d8f; --amber:#e08a00; }
* { box-sizing:border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--ink); background:var(--bg); }
header { background:var(--blue); color:#fff; padding:28px 40px 24px; }
header h1 { margin:0 0 4px; font-size:26px; font-weight:650; letter-spacing:.2px; }
header p { margin:0; opacity:.9; }
main { padding:24px 40px 40px; max-width:1280px; margin:0 auto; }
.kpis { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px; margin-bottom:22px; }
.kpi { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
.kpi-label { color:var(--muted); font-size:13px; }
.kpi-value { font-size:26px; font-weight:650; margin-top:2px; font-variant-numeric:tabular-nums; }
.kpi-note { color:var(--muted); font-size:12.5px; margin-top:2px; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(480px,1fr)); gap:16px; margin-bottom:22px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; }
.card.wide { grid-column:1/-1; }
.card h2 { font-size:16px; margin:0 0 10px; font-weight:620; }
.chart { position:relative; height:300px; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { padding:7px 10px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th:first-child { text-align:left; }
thead th { color:var(--muted); font-weight:600; font-size:13px; }
tr.total th, tr.total td { font-weight:650; border-top:2px solid var(--ink); border-bottom:none; }
td.up { color:#1b7f4b; } td.down { color:#b3261e; }
.table-wrap { overflow-x:auto; }
footer { color:var(--muted); font-size:12.5px; padding:0 40px 32px; max-width:1280px; margin:0 auto; }
@media print { body { background:#fff; } header { color:#000; background:#fff; border-bottom:2px solid #000; } .card, .kpi { break-inside:avoid; } }
`;

const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('gain-data').textContent);
  var fr = new Intl.NumberFormat('fr-FR');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#5b6475';
  var common = { locale: 'fr-FR', animation: false, responsive: true, maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false }, plugins: { legend: { position: 'bottom' } } };
  function merge(a, b) { return Object.assign({}, a, b); }
  new Chart(document.getElementById('chart-months'), {
    data: { labels: data.months.labels, datasets: [
      { type: 'bar', label: 'Dossiers traités', data: data.months.dossiers, backgroundColor: 'rgba(12,65,154,0.75)', maxBarThickness: 56, yAxisID: 'dossiers', order: 2 },
      { type: 'line', label: 'Heures gagnées', data: data.months.hoursSaved, borderColor: '#e08a00', backgroundColor: '#e08a00', tension: 0.25, pointRadius: 2, yAxisID: 'heures', order: 1 }
    ] },
    options: merge(common, { scales: {
      dossiers: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'dossiers' } },
      heures: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'heures' } }
    } })
  });
  new Chart(document.getElementById('chart-scenarios'), {
    type: 'bar',
    data: { labels: data.scenarios.labels, datasets: [{ label: 'ETP', data: data.scenarios.etp, backgroundColor: 'rgba(42,157,143,0.85)', maxBarThickness: 28 }] },
    options: merge(common, { indexAxis: 'y', interaction: { mode: 'nearest', axis: 'y', intersect: false }, plugins: { legend: { display: false },
      tooltip: { callbacks: { label: function (c) { return fr.format(c.parsed.x) + ' ETP'; } } } },
      scales: { x: { beginAtZero: true, title: { display: true, text: 'ETP' } } } })
  });
  new Chart(document.getElementById('chart-machines'), {
    type: 'bar',
    data: { labels: data.months.labels, datasets: [{ label: 'Machines actives', data: data.months.machines, backgroundColor: 'rgba(12,65,154,0.55)', maxBarThickness: 56 }] },
    options: merge(common, { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'machines' } } } })
  });
  document.body.dataset.charts = 'ready';
})();
`;

/**
 * The gain report as one self-contained HTML page for managers: key figures, charts
 * (dossiers and hours per month, ETP by scenario, machines active per month) and the
 * table, in French. Everything is inlined, Chart.js included, and the page's content
 * security policy forbids any network request: it opens the same offline or attached to a mail.
 */
export async function renderGainHtml(report: GainReport): Promise<string> {
  const { total } = report;
  const data = chartDataOf(report);
  const generated = new Date(report.generatedAt).toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
  const previous = report.previousPeriod;
  const growth = total.growth && previous
    ? kpi('Évolution des dossiers', pct(total.growth.dossiers, 0, true), `période précédente : ${day(previous.from)} – ${lastDay(previous.to)}`)
    : '';
  const scenarioHeight = Math.max(220, 34 * data.scenarios.labels.length + 60);
  const precision = precisionOf(total);
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>Gains ProWeb — ${escapeHtml(periodText(report))}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Gains de productivité ProWeb</h1>
<p>Période : ${escapeHtml(periodText(report))} · édité le ${escapeHtml(generated)}</p>
</header>
<main>
<section class="kpis" aria-label="Chiffres clés">
${kpi('Dossiers traités', num(total.dossiers, 0), `dont ${num(total.done, 0)} saisis`)}
${kpi('Heures gagnées', num(total.hoursSaved, precision.hours), total.reworkHours > 0 ? `après ${num(total.reworkHours, 0)}${NBSP}h de reprise` : 'temps de saisie manuelle évité')}
${kpi('Équivalent temps plein', `${num(total.etp, precision.etp)}${NBSP}ETP`, etpNote(report))}
${kpi('Heures robot', num(total.robotHours, precision.robotHours), 'temps machine')}
${kpi('Taux de réussite', pct(total.successRate, 1), `${num(total.rejected, 0)} rejetés · ${num(total.failed, 0)} en échec`)}
${kpi('Machines actives', num(total.machines, 0), 'robots ayant traité au moins un dossier')}
${growth}
</section>
<section class="charts">
<div class="card wide"><h2>Dossiers traités et heures gagnées par mois</h2><div class="chart"><canvas id="chart-months" role="img" aria-label="Dossiers traités et heures gagnées par mois"></canvas></div></div>
<div class="card"><h2>ETP par scénario</h2><div class="chart" style="height:${scenarioHeight}px"><canvas id="chart-scenarios" role="img" aria-label="ETP par scénario"></canvas></div></div>
<div class="card"><h2>Machines actives par mois</h2><div class="chart"><canvas id="chart-machines" role="img" aria-label="Machines actives par mois"></canvas></div></div>
</section>
<section class="card">
<h2>Détail par ${escapeHtml(GROUP_LABEL[report.by].toLowerCase())}</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${GROUP_LABEL[report.by]}</th><th scope="col">Dossiers</th><th scope="col">Rejetés</th><th scope="col">En échec</th><th scope="col">Réussite</th><th scope="col">Heures gagnées</th><th scope="col">ETP</th><th scope="col">Heures robot</th><th scope="col">Machines</th><th scope="col">Évolution</th></tr></thead>
<tbody>
${report.rows.map((r) => tableRow(r, report.by, precision)).join('\n')}
${tableRow(total, report.by, precision, true)}
</tbody>
</table></div>
</section>
</main>
<footer>
Heures gagnées : minutes de saisie manuelle des dossiers saisis par le robot, moins le temps de reprise des dossiers en échec repris à la main.
${escapeHtml(etpText(report))} Réussite : dossiers saisis parmi les dossiers traités.
Évolution : dossiers traités par rapport ${report.by === 'month' ? 'au mois précédent' : report.by === 'year' ? 'à l’année précédente' : 'à la période précédente de même durée'}${report.previousPeriod && (report.by === 'month' || report.by === 'year') ? ' (total : par rapport à la période précédente de même durée)' : ''}, chacun rapporté à sa durée. Dates en temps universel (UTC).
</footer>
<script type="application/json" id="gain-data">${scriptJson(data)}</script>
<script>${await chartJs()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
