// Writes schema.graphql from the type-graphql classes, sorted. `npm run schema`; a test fails when
// the committed file differs from what this prints.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from '../src/schema/build-schema.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, await printGatewaySchema());
process.stdout.write(`wrote ${target}\n`);
