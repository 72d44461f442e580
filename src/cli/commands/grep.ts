import type { Argv, CommandModule } from 'yargs';
import type { GrepArgs } from '../../commands/grep.js';
import { EXIT_FINDINGS, guarded, warn } from '../common.js';

/** Options as yargs gives them (camel-cased). */
interface GrepCliArgs extends GrepArgs {
  readonly files: string[];
  readonly e: string[];
  readonly keepServer: string[];
}

export const grepCommand: CommandModule<object, GrepCliArgs> = {
  command: 'grep [tag] [files..]',
  describe: 'Print every line of exactly one request (GET-37, not GET-370), grouped per process lifetime',
  builder: (y: Argv) =>
    y
      .usage(
        'synlog grep TAG[,TAG…] [files..]\n   or: synlog grep -e TAG [-e TAG…] [files..]\n\nPrint every line of exactly one request (GET-37, not GET-370), grouped per process lifetime',
      )
      .positional('tag', { type: 'string', describe: 'request tag, e.g. GET-37; several: GET-37,PUT-38 (with -e: a file, as in grep)' })
      .positional('files', { type: 'string', array: true, default: [], describe: 'log files (.gz ok); stdin when none' })
      .option('e', {
        type: 'string',
        array: true,
        nargs: 1,
        default: [],
        describe: 'a tag to print (repeatable: -e PUT-38 -e GET-39); then every operand is a file, as in grep',
      })
      .option('context', { alias: 'C', type: 'number', default: 0, describe: 'also print N lines around each line, like grep -C' })
      .option('markdown', { type: 'boolean', default: false, describe: 'print each request in a fence that its content cannot break, for GitHub' })
      .option('redact', {
        type: 'boolean',
        default: false,
        describe: 'pseudonymise IPs, users, rooms, servers, tokens and other personal data, as synlog report does',
      })
      .option('keep-server', {
        type: 'string',
        array: true,
        nargs: 1,
        default: [],
        describe: 'with --redact: your own server name, left as it is (repeatable)',
      })
      .option('line-number', { alias: 'n', type: 'boolean', default: false, describe: 'prefix lines with their line number' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when a line was not understood' })
      .example('synlog grep GET-37 homeserver.log', 'the lines of request GET-37, tracebacks included')
      .example('synlog grep GET-37,POST-38 -C 2 homeserver.log worker1.log', 'two requests, 2 lines of context, two workers')
      .example('journalctl -u matrix-synapse | synlog grep PUT-1573', 'from the journal')
      .example('synlog grep GET-37 --markdown --redact homeserver.log', 'ready to paste into a GitHub comment')
      .epilog(
        'Request numbers restart at 0 when Synapse starts, and workers number their own: each group is one (file, restart, tag). ' +
          '"restart N": after the Nth ***** STARTING SERVER ***** banner in that file ("before any start banner" when none came yet). ' +
          'Times in the headers: as written in the log (or in the --tz zone).',
      ) as unknown as Argv<GrepCliArgs>,
  handler: (argv) =>
    guarded(async () => {
      // Loaded here, not at start-up: every command starts faster when it loads only what it uses.
      const [{ planGrep, runGrep, operandLikeTag }, { inputsOf, withStdout, exitStatus }, { InputError, UsageError }] = await Promise.all([
        import('../../commands/grep.js'),
        import('../run.js'),
        import('../../run/inputs.js'),
      ]);
      const plan = planGrep(argv);
      const sources = await inputsOf(plan.files).catch((err: unknown) => {
        const tag = err instanceof InputError ? operandLikeTag(plan, plan.files[0] ?? '') : null;
        if (tag === null) throw err;
        throw new UsageError(`cannot read '${tag}': with -e, every operand is a file (as in grep); give this tag with -e too: -e ${tag}`);
      });
      const outcome = await withStdout({}, (io) => runGrep(sources, plan, io.out));
      const code = exitStatus(outcome, { strict: plan.strict, json: false });
      if (outcome.groups > 0) return code;
      // Like grep: nothing found is status 1, said once on stderr.
      warn(`no line of ${plan.tags.join(', ')} found`);
      return code !== 0 ? code : EXIT_FINDINGS;
    }),
};
