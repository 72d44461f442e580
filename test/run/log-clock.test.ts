import { describe, expect, it } from 'vitest';
import { LogClock } from '../../src/run/log-clock.js';

describe('LogClock', () => {
  it('a followed file that never grows after its catch-up is a finished log: its clock stays at its last line', () => {
    let wall = 1_000_000;
    const clock = new LogClock(1, () => wall);
    clock.saw(5000);
    clock.saw(null);
    clock.saw(4000); // not monotonic (threads, buffering): the newest counts
    clock.caughtUp();
    wall += 600_000;
    expect(clock.live).toBe(false);
    expect(clock.now()).toBe(5000);
  });

  it('once it grows after the catch-up, the clock runs on with the wall clock', () => {
    let wall = 1_000_000;
    const clock = new LogClock(2, () => wall);
    clock.saw(5000);
    clock.caughtUp();
    clock.saw(6000); // the second file is still catching up
    expect(clock.live).toBe(false);
    clock.caughtUp();
    wall += 10;
    clock.saw(7000);
    wall += 30_000;
    expect(clock.live).toBe(true);
    expect(clock.now()).toBe(37_000);
  });

  it('a pipe is live from its first line; no line, no time', () => {
    let wall = 0;
    const clock = new LogClock(0, () => wall);
    expect(clock.now()).toBeNull();
    clock.saw(1000);
    wall += 2000;
    expect(clock.now()).toBe(3000);
  });
});
