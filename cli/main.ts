/**
 * The `proweb` entry point. The program is imported here rather than statically so that
 * a scenario that fails its load-time checks (a catalogue module throws as it loads)
 * ends in one line naming the scenario file and step, like every other error.
 */
import { ProwebError } from '../core/errors.ts';
import { scrubText } from '../core/personal-data.ts';

try {
  await import('./program.ts');
} catch (error) {
  if (!(error instanceof ProwebError)) throw error;
  process.stderr.write(`error: ${scrubText(error.message)}${error.hint ? ` (${error.hint})` : ''}\n`);
  process.exit(1);
}
