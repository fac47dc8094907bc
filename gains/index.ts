export { Ledger, type DoneRecord, type LedgerOptions, type CampaignCounts } from './ledger.ts';
export { ledgerEntrySchema, type LedgerEntry, type DossierStatus } from './ledger-entry.ts';
export { summarizeGains, type GainReport, type GainRow, type GainGrouping } from './report.ts';
export { formatGainTable } from './format.ts';
export { DEFAULT_HOURS_PER_ETP, etpFromHours, roundTo } from './etp.ts';
