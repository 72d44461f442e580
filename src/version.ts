import { readFileSync } from 'node:fs';

/** synlog's own version, from package.json (one source of truth). */
export const SYNLOG_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
