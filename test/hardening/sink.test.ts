/**
 * The last line of defence (issue #13.1 b): whatever a renderer writes, the TTY sinks let only
 * synlog's own sequences through. These tests hand the sinks raw hostile text, as a renderer
 * that forgot to escape a field would.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Output, writeStderr } from '../../src/cli/output.js';
import { paint } from '../../src/render/findings-text.js';
import { escapingStdout } from '../../src/ui/terminal.js';
import { PAYLOAD } from './hostile-log.js';

function collector(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = Object.assign(new PassThrough(), isTTY ? { isTTY: true } : {});
  const chunks: Buffer[] = [];
  stream.on('data', (b: Buffer) => chunks.push(b));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** What must never reach a terminal raw (the payload's ESC, BEL, BS, DEL, C1, bidi, CR). */
const RAW = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('Output.text on a terminal', () => {
  it("keeps synlog's styling and newlines, shows any other control character escaped", () => {
    const { stream, text } = collector(true);
    const out = new Output(stream);
    const line = `${paint({ color: true }, 'red', 'still open')}  GET-1 ${PAYLOAD}\n`;
    out.text(line);
    const seen = text();
    expect(seen.startsWith('\x1b[31mstill open\x1b[0m  GET-1 ')).toBe(true);
    expect(seen.endsWith('\n')).toBe(true);
    expect(seen.replace(/\x1b\[(?:31|0)m/g, '').slice(0, -1)).not.toMatch(RAW);
    expect(seen).toContain('\\x1b]0;PWNED-TITLE\\x07');
    expect(seen).toContain('\\u{202E}PWNED-RLO');
  });

  it('NDJSON on a terminal: C1, DEL and bidi characters, which JSON.stringify leaves raw, are escaped too', () => {
    const { stream, text } = collector(true);
    new Output(stream).text(JSON.stringify({ uri: PAYLOAD }) + '\n');
    expect(text().slice(0, -1)).not.toMatch(RAW);
  });

  it('into a pipe: text as the renderers made it, log lines byte-exact', () => {
    const { stream, text } = collector(false);
    const out = new Output(stream);
    out.text(`a ${PAYLOAD}\n`);
    out.logLine(PAYLOAD);
    expect(text()).toBe(`a ${PAYLOAD}\n${PAYLOAD}\n`);
  });
});

describe('writeStderr', () => {
  it('escapes on a terminal (a file name, an error quoting the log), passes through otherwise', () => {
    const tty = collector(true);
    writeStderr(`synlog: cannot read ${PAYLOAD}.log\n`, tty.stream);
    expect(tty.text().slice(0, -1)).not.toMatch(RAW);
    expect(tty.text()).toContain('PWNED-TITLE');
    const pipe = collector(false);
    writeStderr(`x ${PAYLOAD}\n`, pipe.stream);
    expect(pipe.text()).toBe(`x ${PAYLOAD}\n`);
  });
});

describe("escapingStdout (the dashboard's stdout)", () => {
  it('escapes what Ink would pass (OSC, C1, BEL) and forwards everything else to the real stream', () => {
    const { stream, text } = collector(true);
    const real = Object.assign(stream, { columns: 132, rows: 43 }) as unknown as NodeJS.WriteStream;
    const proxy = escapingStdout(real);
    expect(proxy.columns).toBe(132);
    expect(proxy.rows).toBe(43);
    expect(proxy.isTTY).toBe(true);
    let resized = 0;
    const onResize = (): void => {
      resized++;
    };
    proxy.on('resize', onResize);
    real.emit('resize');
    proxy.off('resize', onResize);
    real.emit('resize');
    expect(resized).toBe(1);
    proxy.write(`\x1b[2K\x1b[1A\x1b[G\x1b[1mtitle\x1b[22m ${PAYLOAD}\n`);
    proxy.write(Buffer.from('\u009b6n'));
    const seen = text();
    expect(seen.startsWith('\x1b[2K\x1b[1A\x1b[G\x1b[1mtitle\x1b[22m ')).toBe(true);
    expect(seen).toContain('\\x1b]0;PWNED-TITLE\\x07');
    expect(seen).toContain('\\x1b[6n');
    expect(seen).toContain('\\x9b6n');
    expect(seen).not.toMatch(/[\x07\u0080-\u009f\u202e]/);
  });
});
