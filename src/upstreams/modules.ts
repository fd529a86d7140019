// The upstreams of the gateway, in the order they are listed everywhere (the `Upstream` enum, the
// start banner, `upstreams { … }`). Adding an upstream: its folder under src/upstreams/, and one line here.
import { bemserver } from './bemserver/index.js';
import { flexmeasures } from './flexmeasures/index.js';
import { meetnet } from './meetnet/index.js';
import type { UpstreamModule } from './module.js';

export const upstreamModules: readonly UpstreamModule[] = [meetnet, flexmeasures, bemserver];
