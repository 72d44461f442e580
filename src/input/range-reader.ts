// Moved to reader.ts (the one reader); kept for the callers that still import it.
export { readRangeLines, type RangeRead } from './reader.js';
