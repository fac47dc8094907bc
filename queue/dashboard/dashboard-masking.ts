/**
 * What bull-board may show of a job: never personal data. bull-board formats a job's
 * `data` and return value (its formatters), but sends its failed reason, stack trace and
 * logs as they are, and other answers (flows, schedulers, errors) may quote them too. So
 * the masking is done three times over, each layer independent of the others:
 *
 * 1. {@link MaskingBullMQAdapter} hands bull-board masked jobs and logs: the fields of
 *    {@link VISIBLE_JOB_FIELDS} alone for data, and every text masked with the dossier's
 *    own scrubber (its declared names and addresses, when its sealed row can still be
 *    opened) and the personal-data patterns;
 * 2. the `data` and `returnValue` formatters do the same on what bull-board formats;
 * 3. {@link maskJsonAnswer} masks every string of every JSON answer of the API with the
 *    patterns, whatever route a later bull-board adds.
 */
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { FlowProducer, Job, Queue } from 'bullmq';
import { scrubber, type Scrubber } from '../../core/personal-data.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { openJobPayload } from '../campaigns/job-payload.ts';

/** The fields of a job's data the dashboard shows: where a dossier comes from, nothing personal. */
export const VISIBLE_JOB_FIELDS = ['campaignId', 'scenarioId', 'scenarioVersion', 'caisse', 'rowNumber', 'dossierId', 'dryRun'] as const;

/**
 * The visible fields of a job's data; anything else (the sealed row, the input file's
 * path, whatever a hand-written job carries) is left out. Not an object: nothing.
 */
export function visibleJobFields(data: unknown): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const shown: Record<string, unknown> = {};
  for (const field of VISIBLE_JOB_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    if (value === undefined) continue;
    // A field of an unexpected type is a job not written by proweb: shown masked, as text.
    shown[field] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? scrubber.deep(value) : '•••';
  }
  return shown;
}

/**
 * The scrubber of a job: the dossier's own (its declared personal values) when the
 * deployment secret opens its sealed row, else the patterns alone (a dossier that ended
 * has no row any more: what it left was masked by the worker before BullMQ kept it).
 */
export function jobScrubber(data: unknown, secret: DeploymentSecret | undefined): Scrubber {
  if (!secret) return scrubber;
  const opened = openJobPayload(data, secret);
  if (!opened.ok) return scrubber;
  const scenario = catalogue.get(opened.fields.scenarioId);
  const parsed = scenario?.input.safeParse(opened.raw);
  // A row this version cannot parse: every cell of it is hidden, erring on the side of hiding.
  return parsed?.success ? scenario!.scrubberFor(parsed.data) : scrubber.with(Object.values(opened.raw));
}

/** A job as bull-board may see it: masked views of its texts, its methods (retry, remove...) the real job's. */
export function maskedJob<J extends Job>(job: J, scrub: Scrubber): J {
  const masked = {
    data: visibleJobFields(job.data),
    returnvalue: scrub.deep(job.returnvalue),
    failedReason: typeof job.failedReason === 'string' ? scrub.text(job.failedReason) : job.failedReason,
    stacktrace: Array.isArray(job.stacktrace) ? job.stacktrace.map((line) => (typeof line === 'string' ? scrub.text(line) : line)) : job.stacktrace,
    progress: scrub.deep(job.progress),
  };
  return new Proxy(job, {
    get(target, property, receiver) {
      if (property === 'toJSON') return () => ({ ...target.toJSON(), ...masked });
      if (property === 'asJSON') return () => ({ ...target.asJSON(), data: JSON.stringify(masked.data), returnvalue: JSON.stringify(masked.returnvalue ?? null) });
      if (typeof property === 'string' && Object.hasOwn(masked, property)) return masked[property as keyof typeof masked];
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // The real job's methods run on the real job (its data intact for a retry); what they
      // answer (children's values and failures, a flow's texts) is masked like the job's own.
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? result.then((r: unknown) => scrub.deep(r)) : scrub.deep(result);
      };
    },
  });
}

/** A node of a flow as BullMQ's FlowProducer reads it. */
interface FlowNode {
  job: Job;
  children?: FlowNode[];
}

export interface MaskingAdapterOptions {
  /** Opens sealed rows, so that a dossier's names are masked too. */
  secret?: DeploymentSecret | undefined;
  readOnlyMode: boolean;
  description: string;
}

/** bull-board's BullMQ adapter, handing out masked jobs and logs only. */
export class MaskingBullMQAdapter extends BullMQAdapter {
  private readonly bullQueue: Queue;
  private readonly secret: DeploymentSecret | undefined;

  constructor(queue: Queue, options: MaskingAdapterOptions) {
    super(queue, { readOnlyMode: options.readOnlyMode, allowRetries: !options.readOnlyMode, description: options.description });
    this.bullQueue = queue;
    this.secret = options.secret;
    this.setFormatter('data', visibleJobFields);
    this.setFormatter('returnValue', (value: unknown) => scrubber.deep(value));
    this.setFormatter('progress', (value: unknown) => scrubber.deep(value));
  }

  private mask(job: Job): Job {
    return maskedJob(job, jobScrubber(job.data, this.secret));
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job ? this.mask(job) : job;
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map((job) => (job ? this.mask(job) : job));
  }

  /** The producer bull-board reads flows with: each job of a flow tree masked like any other. */
  override async getFlowProducer(): Promise<FlowProducer | null> {
    const producer = await super.getFlowProducer();
    if (!producer) return producer;
    const maskTree = (node: FlowNode | undefined): FlowNode | undefined =>
      node && { ...node, job: node.job ? this.mask(node.job) : node.job, ...(node.children ? { children: node.children.map((c) => maskTree(c)!) } : {}) };
    return new Proxy(producer, {
      get(target, property) {
        if (property === 'getFlow') return async (...args: Parameters<FlowProducer['getFlow']>) => maskTree((await target.getFlow(...args)) as FlowNode);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** A job's log lines (the robot's steps, evidence paths), masked like its texts. */
  override async getJobLogs(id: string): Promise<string[]> {
    const [logs, job] = await Promise.all([super.getJobLogs(id), this.bullQueue.getJob(id)]);
    const scrub = job ? jobScrubber(job.data, this.secret) : scrubber;
    return logs.map((line) => scrub.text(line));
  }
}

/**
 * A JSON answer with every string masked (keys kept); other answers as they are. The
 * last layer: whatever bull-board answers, no NIR, IBAN, e-mail or telephone leaves.
 */
export async function maskJsonAnswer(response: Response): Promise<Response> {
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(response.headers.get('content-type') ?? '')) return response;
  const text = await response.text();
  let body: string;
  try {
    body = JSON.stringify(scrubber.deep(JSON.parse(text) as unknown));
  } catch {
    body = scrubber.text(text);
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
