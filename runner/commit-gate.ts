/**
 * What the runner asks, just before each commit click, of whoever distributes the dossiers.
 * The runner knows no queue: the gate is given to it with the dossier (the queue's worker
 * implements it with a claim in Redis taken atomically with a check of the attempt's lock).
 */
export interface CommitGate {
  /**
   * May this attempt click the commit of step `step` now? `timeoutMs` is how long the click
   * may take to land (the step's timeout), so that a claim tells others how long to wait.
   */
  claim(request: CommitRequest): Promise<CommitClaim>;
  /**
   * Gives back a claim this attempt holds but never used (it did not click): the next attempt
   * may click at once instead of waiting for the claim to settle.
   */
  release(step: string): Promise<void>;
}

export interface CommitRequest {
  /** The commit step's number in the scenario (`10`, `6.then.2`): one claim per commit step. */
  step: string;
  timeoutMs: number;
}

export type CommitClaim =
  /** Click, but only before `clickBy` (a `performance.now()` time): later, this process may have been frozen. */
  | { granted: true; clickBy: number }
  /** This attempt no longer owns the dossier: never click. */
  | { granted: false; reason: 'lost'; detail: string }
  /**
   * An earlier click (another attempt, another machine) holds the claim: never click. Its
   * outcome may still land for `settleInMs`; after that the guard alone decides.
   */
  | { granted: false; reason: 'claimed'; settleInMs: number };
