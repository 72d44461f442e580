/**
 * gunzip: damaged or cut gzip data gives every byte zlib can decode before the damage (what
 * `zcat` recovers, or more: zcat drops up to its 32 KiB window), says where the damage is, and
 * reads intact data in one pass. The reference for "every byte before the damage" is zlib
 * itself: the data up to the damaged byte, decompressed with Z_SYNC_FLUSH (which gives all it
 * can from a prefix without failing).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { gunzip, type GunzipOptions } from '../../src/input/gunzip.js';
import { ROOT } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/prng.js';

const LOG = readFileSync(join(ROOT, 'fixtures/logs/homeserver-info.log'));

/** What zlib decodes from the data before `offset` (the reference for recovered output). */
function decodableBefore(gz: Buffer, offset: number): Buffer {
  return gunzipSync(gz.subarray(0, offset), { finishFlush: constants.Z_SYNC_FLUSH });
}

/** The data in chunks of `chunkBytes`, as a file or a pipe would give it. */
async function* chunked(data: Buffer, chunkBytes: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += chunkBytes) yield data.subarray(at, at + chunkBytes);
}

async function run(gz: Buffer, chunkBytes: number, opts: GunzipOptions = {}): Promise<{ out: Buffer; damage: Awaited<ReturnType<typeof gunzip>> }> {
  const parts: Buffer[] = [];
  const damage = await gunzip(chunked(gz, chunkBytes), (b) => void parts.push(Buffer.from(b)), opts);
  return { out: Buffer.concat(parts), damage };
}

/**
 * The log gzipped, with 4 KiB in the middle flipped (XOR with seeded bytes): the first seed
 * whose damage zlib finds mid-stream (an invalid code), not only at the end (a CRC mismatch
 * after decoding garbage).
 */
function corruptMidStream(): { gz: Buffer; failsAt: number } {
  const clean = gzipSync(LOG, { level: 9 });
  for (let seed = 1; seed < 100; seed++) {
    const gz = Buffer.from(clean);
    const next = mulberry32(seed);
    const mid = gz.length >> 1;
    for (let i = mid; i < mid + 4096; i++) gz[i]! ^= 1 + Math.floor(next() * 255);
    try {
      gunzipSync(gz);
    } catch (err) {
      if (!/check/.test((err as Error).message)) return { gz, failsAt: mid };
    }
  }
  throw new Error('no seed damages the stream mid-way');
}

describe('gunzip', () => {
  test('intact data, several members (concatenated .gz files), any chunking: all of it, no damage', async () => {
    const gz = Buffer.concat([gzipSync(LOG.subarray(0, 100_000)), gzipSync(LOG.subarray(100_000))]);
    for (const chunkBytes of [1, 7, 1000, 1 << 20]) {
      const data = chunkBytes < 100 ? gzipSync(LOG.subarray(0, 2000)) : gz; // byte by byte is slow: a small one
      const { out, damage } = await run(data, chunkBytes);
      expect(damage).toBeNull();
      expect(out.equals(chunkBytes < 100 ? LOG.subarray(0, 2000) : LOG)).toBe(true);
    }
  });

  const { gz, failsAt } = corruptMidStream();

  test('damaged mid-stream: every byte before the damaged one, and where it is', async () => {
    const { out, damage } = await run(gz, 1 << 20, { again: () => chunked(gz, 1 << 20) });
    expect(damage).not.toBeNull();
    expect(damage!.kind).toBe('corrupt');
    expect(damage!.unrecovered).toBe(false);
    // found in or after the flipped bytes, well before the end
    expect(damage!.offset).toBeGreaterThanOrEqual(failsAt);
    expect(damage!.offset).toBeLessThan(gz.length - 8);
    expect(damage!.detail).not.toMatch(/^zlib/);
    const reference = decodableBefore(gz, damage!.offset);
    expect(out.equals(reference)).toBe(true);
    // the byte at `offset` is the one zlib fails on
    expect(() => gunzipSync(gz.subarray(0, damage!.offset + 1), { finishFlush: constants.Z_SYNC_FLUSH })).toThrow();
    // and that holds the log up to the flipped bytes, a third of it and more: not nothing
    const intact = decodableBefore(gz, failsAt);
    expect(intact.length).toBeGreaterThan(LOG.length / 3);
    expect(LOG.subarray(0, intact.length).equals(intact)).toBe(true);
    expect(out.subarray(0, intact.length).equals(intact)).toBe(true);
  });

  test('damaged data from a pipe (no second read): the same bytes, from what was kept of it', async () => {
    const file = await run(gz, 1 << 20, { again: () => chunked(gz, 1 << 20) });
    const pipe = await run(gz, 65536);
    expect(pipe.damage).toEqual(file.damage);
    expect(pipe.out.equals(file.out)).toBe(true);
  });

  test('damaged data from a pipe too long to keep: what came before the failed zlib call, said so', async () => {
    const file = await run(gz, 1 << 20, { again: () => chunked(gz, 1 << 20) });
    const pipe = await run(gz, 65536, { retainBytes: 1000 });
    expect(pipe.damage).toMatchObject({ kind: 'corrupt', unrecovered: true, detail: file.damage!.detail });
    expect(pipe.damage!.offset).toBeLessThanOrEqual(file.damage!.offset);
    expect(file.out.subarray(0, pipe.out.length).equals(pipe.out)).toBe(true);
    expect(pipe.out.length).toBeGreaterThan(file.out.length - 1024 * 1024);
  });

  test('cut short: everything before the cut, said to end early at the cut', async () => {
    const clean = gzipSync(LOG);
    const cut = Math.floor(clean.length * 0.6);
    const { out, damage } = await run(clean.subarray(0, cut), 1 << 20);
    expect(damage).toEqual({ offset: cut, kind: 'cut', detail: 'unexpected end of file', unrecovered: false });
    expect(out.equals(decodableBefore(clean, cut))).toBe(true);
  });

  test('a wrong checksum at the end: all the data (as zcat gives it), the damage in the trailer', async () => {
    const bad = gzipSync(LOG);
    bad[bad.length - 6]! ^= 0xff; // in the CRC-32 (RFC 1952: CRC32 then ISIZE, 4 bytes each)
    const { out, damage } = await run(bad, 1 << 20, { again: () => chunked(bad, 1 << 20) });
    expect(out.equals(LOG)).toBe(true);
    expect(damage).toMatchObject({ kind: 'corrupt', detail: 'incorrect data check' });
    expect(damage!.offset).toBeGreaterThanOrEqual(bad.length - 8);
  });

  test('after the end: zero padding is fine; anything else is all the data, then said to be trailing', async () => {
    const clean = gzipSync(LOG);
    const padded = await run(Buffer.concat([clean, Buffer.alloc(512)]), 1 << 20);
    expect(padded.damage).toBeNull();
    expect(padded.out.equals(LOG)).toBe(true);
    const garbage = Buffer.concat([clean, Buffer.from('garbage after the end\n')]);
    const trailing = await run(garbage, 1 << 20, { again: () => chunked(garbage, 1 << 20) });
    expect(trailing.out.equals(LOG)).toBe(true);
    expect(trailing.damage).toMatchObject({ kind: 'trailing', unrecovered: false });
    expect(trailing.damage!.offset).toBeGreaterThanOrEqual(clean.length);
  });

  test('stop: ends early without calling it damage', async () => {
    const clean = gzipSync(LOG);
    let got = 0;
    const damage = await gunzip(chunked(clean, 1 << 20), (b) => void (got += b.length), { stop: () => got > 0 });
    expect(damage).toBeNull();
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(LOG.length);
  });
});
