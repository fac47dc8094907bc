import { z } from 'zod';
import { ProwebError } from '../../core/errors.ts';
import type { DeploymentSecret } from '../../core/secret.ts';

/**
 * What a job carries: where its dossier came from, in clear (ids, file name, row number:
 * no personal data), and the raw input row, sealed with the deployment secret.
 *
 * Redis is not trusted: whoever can write to it could otherwise queue a row that a robot
 * types into a back office (any IBAN with a valid key passes), and whoever can read it
 * would find names and NIRs. So the row is encrypted with AES-256-GCM under the jobs key,
 * and every other field is its additional authenticated data: a job this deployment did
 * not seal, or whose campaign, scenario, row number, dossier id or dry-run flag was changed
 * since, does not open, and the worker refuses it before anything runs. The worker parses
 * the opened row again, at its own boundary, with the scenario version it runs.
 */
export const jobPayloadSchema = z.strictObject({
  campaignId: z.string().min(1),
  scenarioId: z.string().min(1),
  scenarioVersion: z.string().min(1),
  caisse: z.string().min(1),
  file: z.string(),
  rowNumber: z.number().int().positive(),
  dossierId: z.string().min(1),
  /** Every step but the commit; nothing is entered and nothing is recorded in the ledger. */
  dryRun: z.boolean().optional(),
  /**
   * The input row, sealed (`v1.` then base64url of IV, ciphertext and tag). Removed from the
   * job when its dossier ends, so that Redis keeps no input row of a finished dossier.
   */
  sealedRow: z.string().min(1).optional(),
});

export type JobPayload = z.output<typeof jobPayloadSchema>;

/** A job's fields but its row: what may be shown, logged or kept once the dossier ended. */
export type JobFields = Omit<JobPayload, 'sealedRow'>;

/** A raw input row, as read from the file: column → cell text. */
export type RawRow = Record<string, string | undefined>;

const rawRowSchema = z.record(z.string(), z.string().optional());

const SEAL_VERSION = 'v1';

/**
 * The authenticated data of a job: every field but the row, in a fixed order (JSON
 * objects have none that every writer keeps). `dryRun` absent and false are one.
 */
function associatedData(fields: JobFields): Buffer {
  return Buffer.from(JSON.stringify([
    'proweb job', SEAL_VERSION, fields.campaignId, fields.scenarioId, fields.scenarioVersion, fields.caisse, fields.file,
    fields.rowNumber, fields.dossierId, fields.dryRun === true,
  ]));
}

/** The job data of a dossier: its fields in clear, its row sealed with the deployment secret. */
export function sealJobPayload(fields: JobFields, raw: RawRow, secret: DeploymentSecret): JobPayload {
  const sealed = secret.seal(Buffer.from(JSON.stringify(raw)), associatedData(fields));
  return { ...jobFieldsOf(fields), sealedRow: `${SEAL_VERSION}.${sealed.toString('base64url')}` };
}

/** A job's fields without its row (whatever else the data held is dropped). */
export function jobFieldsOf(payload: JobFields): JobFields {
  const { campaignId, scenarioId, scenarioVersion, caisse, file, rowNumber, dossierId, dryRun } = payload;
  return { campaignId, scenarioId, scenarioVersion, caisse, file, rowNumber, dossierId, ...(dryRun ? { dryRun } : {}) };
}

/** A job opened: its fields, now known to be this deployment's, and its row. */
/** `rowRemoved`: the fields are there and the row is not, as the worker leaves a job whose dossier ended. */
export type OpenedJob = { ok: true; fields: JobFields; raw: RawRow } | { ok: false; reason: string; fields?: JobFields; rowRemoved?: true };

/**
 * Opens a job's data with the deployment secret. Refuses (with the reason, never a value
 * of the data) data that is not a job payload, that carries no sealed row, or whose seal
 * does not open: written into Redis by hand, sealed by another deployment, or edited.
 */
export function openJobPayload(data: unknown, secret: DeploymentSecret): OpenedJob {
  const parsed = jobPayloadSchema.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || (i.code === 'unrecognized_keys' ? `unknown fields ${i.keys.join(', ')}` : '(root)')))];
    return { ok: false, reason: `its data is not a proweb job payload (${fields.join('; ')})` };
  }
  const { sealedRow, ...rest } = parsed.data;
  const fields = jobFieldsOf(rest);
  if (!sealedRow) return { ok: false, fields, rowRemoved: true, reason: 'it carries no sealed input row (its dossier already ended, or it was not written by this deployment)' };
  const [version, body] = sealedRow.split('.', 2);
  if (version !== SEAL_VERSION || !body) return { ok: false, fields, reason: `its input row is not sealed in a form this version knows (${version === SEAL_VERSION ? 'empty' : 'unknown seal version'})` };
  const opened = secret.open(Buffer.from(body, 'base64url'), associatedData(fields));
  if (!opened) {
    return { ok: false, fields, reason: 'its seal does not open with this deployment\'s secret: the job was not sealed by this deployment, or one of its fields was changed since' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(opened.toString('utf8'));
  } catch {
    return { ok: false, fields, reason: 'its sealed input row is not a row' };
  }
  const row = rawRowSchema.safeParse(raw);
  return row.success ? { ok: true, fields, raw: row.data } : { ok: false, fields, reason: 'its sealed input row is not a row' };
}

/**
 * A job the worker will not run: not sealed by this deployment, changed since, or of a
 * campaign this deployment does not know. Nothing was run, entered or recorded.
 */
export class JobRefused extends ProwebError {
  override name = 'JobRefused';
  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(`job ${jobId} refused, not run: ${reason}`,
      'Someone or something wrote to the queue who should not, or this machine runs with another deployment secret than the one that queued it: '
      + 'check that every machine has the same secret and who can write to Redis, then submit the file again.');
  }
}
