import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

/**
 * Golden CLI cases as data (fixtures/cases/<name>/): `args` holds one argument per line (paths
 * relative to the repo root), an optional `stdin` file is piped in, `stdout.txt`/`stderr.txt`
 * are the golden outputs (update with `npx vitest run -u` and review the diff), and `exit-code`
 * (absent = 0) the expected status.
 */
const casesDir = join(ROOT, 'fixtures/cases');

describe('golden CLI cases', () => {
  for (const name of readdirSync(casesDir).sort()) {
    const dir = join(casesDir, name);
    it(name, async () => {
      const args = readFileSync(join(dir, 'args'), 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const stdinPath = join(dir, 'stdin');
      const stdin = existsSync(stdinPath) ? readFileSync(stdinPath) : undefined;
      const result = await runCli(args, stdin);
      await expect(result.stdout).toMatchFileSnapshot(join(dir, 'stdout.txt'));
      await expect(result.stderr).toMatchFileSnapshot(join(dir, 'stderr.txt'));
      const codePath = join(dir, 'exit-code');
      const expected = existsSync(codePath) ? Number(readFileSync(codePath, 'utf8').trim()) : 0;
      expect(result.code).toBe(expected);
    });
  }
});
