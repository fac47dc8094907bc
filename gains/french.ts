import { roundTo } from './etp.ts';

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
