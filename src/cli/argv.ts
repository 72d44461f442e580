/**
 * The command line as people type it, before yargs reads it:
 * - `--` ends the options (POSIX): what follows is operands, files or tags, even when it starts
 *   with `-` (`synlog stats -- FILE`, `synlog grep -- GET-37 FILE`). yargs would keep them out of
 *   the positionals, so they are passed on as plain operands, one starting with `-` as `./-…`
 *   (the same file; `-` alone stays stdin).
 * - A value that starts with `-` and a digit (`--threshold -5s`) is the option's value, not short
 *   flags `-5 -s`: joined as `--threshold=-5s`, so the plan can say the value is invalid.
 */
export function normaliseArgv(args: readonly string[]): string[] {
  // Shell completion passes the words typed so far: left as they are.
  if (args[0] === '--get-yargs-completions') return [...args];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      for (const operand of args.slice(i + 1)) out.push(operand.startsWith('-') && operand !== '-' ? `./${operand}` : operand);
      break;
    }
    const next = args[i + 1];
    if (/^--[^=\s-][^=\s]*$/.test(a) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}
