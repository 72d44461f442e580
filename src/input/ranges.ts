import { closeSync, openSync, readSync } from 'node:fs';

/** Splits [0, size) into n ranges that start at line starts. */
export function lineAlignedRanges(path: string, size: number, n: number): Array<[number, number]> {
  if (n <= 1) return [[0, size]];
  const fd = openSync(path, 'r');
  const probe = Buffer.allocUnsafe(64 * 1024);
  const starts = [0];
  try {
    for (let i = 1; i < n; i++) {
      let pos = Math.floor((size * i) / n);
      // Walk forward to the byte after the next newline.
      for (;;) {
        const got = readSync(fd, probe, 0, probe.length, pos);
        if (got === 0) {
          pos = size;
          break;
        }
        const nl = probe.subarray(0, got).indexOf(10);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += got;
      }
      if (pos > starts[starts.length - 1]! && pos < size) starts.push(pos);
    }
  } finally {
    closeSync(fd);
  }
  return starts.map((s, i) => [s, starts[i + 1] ?? size]);
}
