// Moved to reader.ts (the one reader); kept for the callers that still import it.
export { followFile, type FollowOptions } from './reader.js';
