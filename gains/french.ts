import { roundTo } from './etp.ts';
import { yearsIn, type ClosedPeriod } from './period.ts';

/** Thousands separator: a plain space in text and CSV, a narrow no-break space in HTML. */
export type Spacing = ' ' | '\u202f';

/** `358 071,0`: a number the French way, rounded half away from zero. */
export function frenchNumber(value: number, decimals: number, space: Spacing = ' '): string {
  return roundTo(value, decimals)
    .toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    .replace(/[\u202f\u00a0 ]/g, space)
    .replace('\u2212', '-');
}

/** `56 %`, `93,8 %`; `+56 %` with `signed`; `—` when there is nothing to show. */
export function frenchPercent(ratio: number | null, decimals = 0, options: { signed?: boolean; space?: Spacing } = {}): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  const value = roundTo(ratio * 100, decimals);
  const sign = options.signed && value > 0 ? '+' : '';
  return `${sign}${frenchNumber(value, decimals, options.space)}${options.space === '\u202f' ? '\u00a0' : ' '}%`;
}

/** `1 an`, `3 ans`, `1 mois`, `10 jours = 0,027 an`: a period's length as the French ETP line says it. */
export function frenchLength(period: ClosedPeriod): string {
  const months = yearsIn(period) * 12;
  const m = Math.round(months);
  if (m > 0 && Math.abs(months - m) < 1e-9) return m % 12 === 0 ? `${m / 12}\u00a0an${m === 12 ? '' : 's'}` : `${m}\u00a0mois`;
  const days = (period.to.getTime() - period.from.getTime()) / 86_400_000;
  return `${frenchNumber(days, Number.isInteger(days) ? 0 : 1)}\u00a0jour${days < 2 ? '' : 's'} = ${frenchNumber(months / 12, 3)}\u00a0an${months >= 24 ? 's' : ''}`;
}
