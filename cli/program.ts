import { InputFileError, ProwebError } from '../core/errors.ts';
import { scrubText } from '../core/personal-data.ts';
// Not queue/index.ts: that loads BullMQ, the workers and the scenario catalogue, which `proweb --help` does not need.
import { CampaignNotFound } from '../queue/campaigns/campaign-registry.ts';
import { Closer } from './closer.ts';
import { type CommandHost, createCommandContext } from './context.ts';
import { EXIT_BAD_INPUT } from './options.ts';
import { declareProgram } from './program/index.ts';

// The commands are declared in cli/program/; this runs them: the context, the exit code, the signals.

const closer = new Closer();
const ctx = createCommandContext(closer);
let exitCode = 0;
/** A signal interrupts a command (130), but is how a worker is meant to stop (0, as service managers expect). */
let signalExitCode = 130;

const host: CommandHost = {
  async run(implementation) {
    exitCode = await implementation(ctx);
  },
  stopsOnSignal() {
    signalExitCode = 0;
  },
};

async function shutdown(code: number): Promise<never> {
  await closer.closeAll((name, error) => process.stderr.write(`warning: closing ${name} failed: ${scrubText((error as Error).message)}\n`));
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping (running dossiers finish, nothing is lost)...\n`);
    void shutdown(signalExitCode);
  });
}

const program = declareProgram(host);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const commanderCode = (error as { code?: string }).code;
  if (commanderCode?.startsWith('commander.')) {
    exitCode = commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? 0 : EXIT_BAD_INPUT;
  } else if (error instanceof ProwebError) {
    // One line a human can act on: what went wrong, then what to do.
    process.stderr.write(`error: ${scrubText(error.message)}${error.hint ? ` (${error.hint})` : ''}\n`);
    exitCode = error instanceof InputFileError || error instanceof CampaignNotFound ? EXIT_BAD_INPUT : 1;
  } else {
    process.stderr.write(`error: ${scrubText((error as Error)?.stack ?? String(error))}\n`);
    exitCode = 1;
  }
}
await shutdown(exitCode);
