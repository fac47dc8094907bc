import type { Command } from '@commander-js/extra-typings';
import type { CommandHost } from '../context.ts';
import { configOption, inputOption, type OptionsOf, priorityOption, redisOption } from '../options.ts';

/** `proweb schedule add <name> <scenario>`: its arguments and options. */
const declareScheduleAdd = (schedule: Command) =>
  schedule
    .command('add <name> <scenario>')
    .description('submit this file as a campaign at each occurrence of a cron pattern (a worker of the fleet does it)')
    .addOption(inputOption('the file the export lands in (a path every robot machine sees)'))
    .requiredOption('--caisse <name>', 'the caisse the campaign is for')
    .requiredOption('--cron <pattern>', 'when: minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5"')
    .option('--tz <zone>', 'time zone of the pattern (default Europe/Paris)')
    .addOption(priorityOption())
    .addOption(redisOption())
    .addOption(configOption());

/** `proweb schedule list` and `remove <name>`: the shared Redis and the configuration. */
const declareScheduleList = (schedule: Command) =>
  schedule.command('list').description('the scheduled campaigns and their next occurrence').addOption(redisOption()).addOption(configOption());
const declareScheduleRemove = (schedule: Command) =>
  schedule.command('remove <name>').description('stop a scheduled campaign').addOption(redisOption()).addOption(configOption());

export type ScheduleAddOptions = OptionsOf<typeof declareScheduleAdd>;
export type ScheduleOptions = OptionsOf<typeof declareScheduleList> & OptionsOf<typeof declareScheduleRemove>;

/** `proweb schedule` and its subcommands. */
export function addSchedule(parent: Command, host: CommandHost): void {
  const schedule = parent.command('schedule').description('repeatable campaigns (a nightly file drop), on BullMQ job schedulers');
  const implementation = () => import('../commands/schedule.ts');
  declareScheduleAdd(schedule).action((name, scenario, o) => host.run(async (ctx) => (await implementation()).scheduleAddCommand(name, scenario, o, ctx)));
  declareScheduleList(schedule).action((o) => host.run(async (ctx) => (await implementation()).scheduleListCommand(o, ctx)));
  declareScheduleRemove(schedule).action((name, o) => host.run(async (ctx) => (await implementation()).scheduleRemoveCommand(name, o, ctx)));
}
