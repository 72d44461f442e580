import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/output.js';
import { BIN, CLI_ENV, ROOT } from '../helpers/cli.js';

function runBytes(args: string[], stdin?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: CLI_ENV });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out)));
    child.stdin.end(stdin);
  });
}

describe('output', () => {
  const log = readFileSync(join(ROOT, 'fixtures/bad/invalid-utf8.log'));
  const line4 = log.subarray(log.indexOf(Buffer.from('2026-11-22 07:42:22,777')));

  it('keeps invalid UTF-8 byte-exact into a pipe (file and stdin paths)', async () => {
    for (const stdout of [await runBytes(['grep', 'GET-99', 'fixtures/bad/invalid-utf8.log']), await runBytes(['grep', 'GET-99'], log)]) {
      const body = stdout.subarray(stdout.indexOf(10) + 1);
      expect(body.equals(line4)).toBe(true);
    }
  });

  it('makes control characters visible on a terminal and keeps them raw in a pipe', () => {
    const hostile = 'GET-1 "Mozilla \x1b[2J\x1b]0;pwned\x07" done';
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const ttyChunks: string[] = [];
    tty.on('data', (b: Buffer) => ttyChunks.push(b.toString()));
    new Output(tty).logLine(hostile);
    expect(ttyChunks.join('')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(ttyChunks.join('')).toContain('\\x1b[2J');

    const pipe = new PassThrough();
    const pipeChunks: string[] = [];
    pipe.on('data', (b: Buffer) => pipeChunks.push(b.toString()));
    new Output(pipe).logLine(hostile);
    expect(pipeChunks.join('')).toBe(hostile + '\n');
  });
});
