// Writes schema.graphql from the type-graphql classes, sorted, and subgraph.graphql, the same as an
// Apollo Federation 2 subgraph (what `_service { sdl }` answers). `npm run schema`; tests fail when
// a committed file differs from what this prints.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from '../src/schema/build-schema.js';
import { printGatewaySubgraph } from '../src/schema/subgraph.js';
import { upstreamModules } from '../src/upstreams/modules.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, printGatewaySchema(upstreamModules));
process.stdout.write(`wrote ${target}\n`);
const subgraph = fileURLToPath(new URL('../subgraph.graphql', import.meta.url));
writeFileSync(subgraph, printGatewaySubgraph(upstreamModules));
process.stdout.write(`wrote ${subgraph}\n`);
