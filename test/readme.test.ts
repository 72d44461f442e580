import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, ROOT } from './helpers/cli.js';

/** The README's `sh` examples are promises: run each one and check it works. */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((l) => l.trim() !== ''));

// A `synlog` command on PATH that runs the built CLI.
const shimDir = mkdtempSync(join(tmpdir(), 'synlog-shim-'));
writeFileSync(join(shimDir, 'synlog'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
chmodSync(join(shimDir, 'synlog'), 0o755);

describe('README examples', () => {
  it('has runnable examples for every command', () => {
    for (const cmd of ['grep', 'slow', 'stats', 'stuck', 'fds', 'errors', 'report', 'parse']) {
      expect(
        examples.some((e) => e.startsWith(`synlog ${cmd} `)),
        cmd,
      ).toBe(true);
    }
  });

  for (const example of examples) {
    it(example, () => {
      const r = spawnSync('bash', ['-c', `set -o pipefail; ${example}`], {
        cwd: ROOT,
        env: { ...CLI_ENV, PATH: `${shimDir}:${process.env.PATH ?? ''}` },
        encoding: 'utf8',
      });
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    });
  }
});
