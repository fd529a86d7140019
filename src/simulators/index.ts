// What every upstream simulator shares: the HTTP server with its request log, faults and latency,
// and deterministic pseudo-randomness for the data.
export * from './common.js';
export * from './hash.js';
