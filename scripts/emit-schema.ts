// Writes schema.graphql from the type-graphql classes, sorted. `npm run schema`; a test fails when
// the committed file differs from what this prints.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from '../src/schema/build-schema.js';
import { upstreamModules } from '../src/upstreams/modules.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, printGatewaySchema(upstreamModules));
process.stdout.write(`wrote ${target}\n`);
