/**
 * What the header line holds at a given width. Everything that says how the input stands (its
 * state, lines not understood, the log clock, the filter) shows at 80 columns and more; the rest
 * gives way in this order as the terminal narrows: directories of the files, the brand, the help
 * hint and the line total, the read rate, files after the first, the rotation count; last, the
 * file names are cut (and below 80 columns the line's end).
 */
import { formatClock, safe } from './format.js';
import { compactCount, compactRate } from '../core/format.js';
import type { InputStatus } from './types.js';

export interface HeaderInput {
  readonly input: InputStatus | null;
  readonly linesRead: number;
  readonly unparsed: number;
  readonly nowMs: number | null;
  readonly paused: boolean;
  readonly filter: string;
}

export interface HeaderLayout {
  readonly brand: boolean;
  readonly files: string;
  readonly state: string;
  /** ` (rotated N×)` or ''. */
  readonly rotations: string;
  /** ` │ 12k lines/s` or ''. */
  readonly rate: string;
  /** ` │ 1.2M lines` or ''. */
  readonly lines: string;
  /** ` │ 3 not understood` */
  readonly unparsed: string;
  /** ` │ 07:44:02` */
  readonly clock: string;
  /** ` │ filter: …` or ''. */
  readonly filter: string;
  readonly keys: boolean;
}

const BRAND = 'synlog top ';
const PAUSED = ' PAUSED ';
const KEYS = ' ? keys';

function width(s: string): number {
  return [...s].length;
}

function inputState(input: InputStatus | null): string {
  const sources = input?.sources ?? [];
  if (input === null) return 'starting';
  if (input.ended) return 'input ended';
  if (sources.some((s) => s.state === 'following')) return sources.some((s) => s.state === 'reading') ? 'reading + following' : 'following';
  return 'reading';
}

export function headerLayout(columns: number, h: HeaderInput): HeaderLayout {
  const sources = h.input?.sources ?? [];
  const names = (dirs: boolean): string[] => sources.map((s) => (s.name === '-' ? 'stdin' : safe(dirs ? s.name : s.name.slice(s.name.lastIndexOf('/') + 1))));
  const list = (all: string[], firstOnly: boolean): string => {
    if (all.length === 0) return '…';
    if (firstOnly && all.length > 1) return `${all[0]} +${all.length - 1}`;
    return all.length <= 2 ? all.join(', ') : `${all.slice(0, 2).join(', ')} +${all.length - 2}`;
  };
  const rotated = sources.reduce((n, s) => n + s.rotations, 0);
  const base = {
    state: inputState(h.input),
    rotations: rotated > 0 ? ` (rotated ${rotated}×)` : '',
    unparsed: ` │ ${compactCount(h.unparsed)} not understood`,
    clock: ` │ ${formatClock(h.nowMs)}`,
    filter: h.filter !== '' ? ` │ filter: ${safe(h.filter)}` : '',
  };
  const rate = ` │ ${compactRate(h.input?.linesPerSec ?? 0)} lines/s`;
  const lines = ` │ ${compactCount(h.linesRead)} lines`;
  // From the richest to the barest: the first that fits.
  type Variant = Omit<HeaderLayout, Exclude<keyof typeof base, 'rotations'>>;
  const variants: Variant[] = [
    { brand: true, files: list(names(true), false), rotations: base.rotations, rate, lines, keys: true },
    { brand: true, files: list(names(false), false), rotations: base.rotations, rate, lines, keys: true },
    { brand: false, files: list(names(false), false), rotations: base.rotations, rate, lines, keys: true },
    { brand: false, files: list(names(false), false), rotations: base.rotations, rate, lines: '', keys: false },
    { brand: false, files: list(names(false), false), rotations: base.rotations, rate: '', lines: '', keys: false },
    { brand: false, files: list(names(false), true), rotations: base.rotations, rate: '', lines: '', keys: false },
    { brand: false, files: list(names(false), true), rotations: '', rate: '', lines: '', keys: false },
  ];
  const total = (v: Variant): number =>
    (v.brand ? BRAND.length : 0) +
    width(v.files) +
    1 +
    width(base.state) +
    width(v.rotations) +
    width(v.rate) +
    width(v.lines) +
    width(base.unparsed) +
    width(base.clock) +
    width(base.filter) +
    (h.paused ? PAUSED.length : 0) +
    (v.keys ? KEYS.length : 0);
  for (const v of variants) if (total(v) <= columns) return { ...base, ...v };
  // Still too wide: the file names give the room (the filter, last, may still be cut by the line's end).
  const last = variants[variants.length - 1]!;
  const room = Math.max(1, width(last.files) - (total(last) - columns));
  const files = width(last.files) <= room ? last.files : `${[...last.files].slice(0, Math.max(0, room - 1)).join('')}…`;
  return { ...base, ...last, files };
}
