import { LoginRefused } from '../core/errors.ts';

/** An application that refused the robot's account, as the robot remembers it. */
export interface LoginRefusal {
  application: string;
  /** The application's own words ("Identifiant ou mot de passe incorrect."). */
  message: string;
  username: string | undefined;
  /** When it refused (ISO). */
  at: string;
}

/**
 * One login at a time per application across a robot's slots, and the memory of a refusal.
 *
 * A back office locks an account after 3 to 5 failed logins. Slots that all find themselves
 * logged out at once (start, expired sessions, wrong password) would otherwise send their
 * forms together; behind this gate the first one tries, and if the application refuses the
 * account, the others (and every later dossier) are told so without sending anything, until
 * {@link forget} is called. So a robot makes at most one failed login per application until
 * someone fixes the credentials and says so.
 */
export class LoginGate {
  /** Per application, the end of the last login queued: the next one starts after it. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly refusals = new Map<string, LoginRefusal>();

  /**
   * Runs `attempt` (a login) once every earlier login to the same application has ended.
   * @throws {@link LoginRefused} at once, without running `attempt`, when the application
   * has refused the account (now or earlier); what `attempt` throws otherwise.
   */
  async login(application: string, attempt: () => Promise<void>): Promise<void> {
    this.throwIfRefused(application);
    const previous = this.tails.get(application) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(application, tail);
    await previous;
    try {
      // The login this one waited for may have been refused.
      this.throwIfRefused(application);
      await attempt();
    } catch (error) {
      if (error instanceof LoginRefused && !this.refusals.has(application)) {
        this.refusals.set(application, { application, message: error.applicationMessage, username: error.username, at: error.at });
      }
      throw error;
    } finally {
      release();
      if (this.tails.get(application) === tail) this.tails.delete(application);
    }
  }

  /** The applications that refused the account, oldest first. */
  refused(): LoginRefusal[] {
    return [...this.refusals.values()];
  }

  /** Forgets a refusal (the credentials were fixed): the next dossier logs in again. Whether there was one. */
  forget(application: string): boolean {
    return this.refusals.delete(application);
  }

  private throwIfRefused(application: string): void {
    const known = this.refusals.get(application);
    // A fresh error per dossier (its own stack), with the application's words and time of the refusal.
    if (known) throw new LoginRefused(known.application, known.message, known.username, known.at);
  }
}
