// Moved to reader.ts (the one reader) and accounting.ts; kept for the callers that still import it.
export { account, addNotes, newAccounting, overlongEvent } from './accounting.js';
export { parsingSplitter, readSourceEvents, type EventSink } from './reader.js';
