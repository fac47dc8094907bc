export { Ledger, type DoneRecord, type LedgerOptions, type CampaignCounts } from './ledger.ts';
export { ledgerEntrySchema, type LedgerEntry, type DossierStatus } from './ledger-entry.ts';
export { exportLedger, readLedgerFile, ledgerFileFormat, LedgerFileError, LEDGER_CSV_COLUMNS, type LedgerFileFormat } from './ledger-file.ts';
export { summarizeGains, readRangeOf, type GainReport, type GainReportOptions, type GainRow, type GainGrowth, type GainGrouping } from './report.ts';
export { parseDateBound, previousPeriod, describePeriod, type Period, type ClosedPeriod } from './period.ts';
export { formatGainTable, formatGainCsv, formatGainJson, type GainReportFormat } from './format.ts';
export { renderGainHtml, chartDataOf, type GainChartData } from './html.ts';
export { DEFAULT_HOURS_PER_ETP, etpFromHours, roundTo } from './etp.ts';
