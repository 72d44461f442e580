import type { Argv, CommandModule } from 'yargs';
import { resolveInputs, UsageError } from '../../run/inputs.js';
import { GUARDED_ENV, hasTerminal, prepareInk, NEEDS_TERMINAL, openTerminal, releaseKeys, runGuarded } from '../../ui/terminal.js';
import { EXIT_USAGE, guarded, parseDurationSec, warn } from '../common.js';

interface TopArgs {
  files: string[];
  follow: boolean;
  threshold: string;
  'stuck-after': string;
}

export const topCommand: CommandModule<object, TopArgs> = {
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
      .example('synlog top main.log worker1.log worker2.log', 'several workers at once') as unknown as Argv<TopArgs>,
  handler: (argv) =>
    guarded(async () => {
      const slowThresholdSec = parseDurationSec(argv.threshold);
      const stuckAfterSec = parseDurationSec(argv['stuck-after']);
      if (slowThresholdSec <= 0 || stuckAfterSec <= 0) throw new UsageError('--threshold and --stuck-after want a duration above 0');
      if (process.env[GUARDED_ENV] === undefined) {
        // The dashboard runs in a child process; this one restores the terminal if it dies (ui/terminal.ts).
        if (!hasTerminal()) {
          process.stderr.write(`${NEEDS_TERMINAL}\n`);
          return EXIT_USAGE;
        }
        const outcome = await runGuarded(process.argv.slice(1));
        if (outcome.unexpected) warn(`the dashboard ended unexpectedly (${outcome.how}); the terminal was restored`);
        return outcome.code;
      }
      const terminal = openTerminal();
      if (terminal === null) {
        process.stderr.write(`${NEEDS_TERMINAL}\n`);
        return EXIT_USAGE;
      }
      let sources;
      try {
        sources = await resolveInputs(argv.files, process.stdin.isTTY === true);
      } catch (err) {
        releaseKeys(terminal);
        throw err;
      }
      prepareInk();
      // Loaded late: Ink and React are only needed here, and must see prepareInk's environment.
      const { runTop } = await import('../../run/top.js');
      const code = await runTop({ sources, terminal, follow: argv.follow, slowThresholdSec, stuckAfterSec });
      // A pipe writer (tail -f) or a stray handle must not keep a quit dashboard alive.
      setTimeout(() => process.exit(process.exitCode ?? code), 500).unref();
      return code;
    }),
};
