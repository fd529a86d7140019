// What every upstream simulator shares: the HTTP server with its request log, faults and latency,
// and deterministic pseudo-randomness for the data. Named one by one: the files behind them share
// helpers with each other that are not part of this API.
export type { ParamRecord, SimRequest } from './request.js';
export type { SimResult } from './response.js';
export { SimulatorServer, type SimulatorOptions } from './server.js';
export * from './hash.js';
