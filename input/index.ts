export { readInputRows, assertInputFile } from './read-input.ts';
export { assertReadable, readCsvRows } from './csv-rows.ts';
export { readXlsxRows } from './xlsx-rows.ts';
export { normalizeHeader, type NumberedRow } from './headers.ts';
export { validateRows, formatInvalidRow, type InvalidRow, type ValidatedRow } from './row-validation.ts';
export { createRejectionFile, rejectionFilePath, REJECTION_COLUMNS, type RejectionFile, type RejectionFileResult } from './rejection-file.ts';
