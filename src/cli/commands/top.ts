import type { Argv, CommandModule } from 'yargs';
import type { TopArgs } from '../../commands/top.js';
import { guarded, warn } from '../common.js';

/** Options as yargs gives them (camel-cased). */
interface TopCliArgs extends TopArgs {
  readonly files: string[];
}

export const topCommand: CommandModule<object, TopCliArgs> = {
  command: 'top [files..]',
  describe: 'Live dashboard: request and error rates, in-flight and stuck requests, slow requests and why, endpoints, fd leaks',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [], describe: 'log files, one per worker; stdin when none' })
      .option('follow', { type: 'boolean', default: true, describe: 'keep following the files like tail -F (--no-follow: stop at their end)' })
      .option('threshold', { type: 'string', default: '2s', describe: 'slow means at least this long' })
      .option('stuck-after', { type: 'string', default: '60s', describe: 'requests open longer than this are stuck' })
      .example('synlog top /var/log/matrix-synapse/homeserver.log', 'follow the log live (across rotation)')
      .example('synlog top --no-follow homeserver.log', 'read to the end, then keep the final numbers on screen')
      .example('tail -f homeserver.log | synlog top', 'from a pipe; keys come from the terminal')
      .example('synlog top main.log worker1.log worker2.log', 'several workers at once') as unknown as Argv<TopCliArgs>,
  handler: (argv) =>
    guarded(async () => {
      const [{ planTop, runTopCommand }, { inputsOf }] = await Promise.all([import('../../commands/top.js'), import('../run.js')]);
      const plan = planTop(argv);
      return runTopCommand(plan, { resolve: () => inputsOf(plan.files), warn, argv: process.argv.slice(1) });
    }),
};
