// The end of v1_1: the deprecation and sunset headers on its answers, and the 410 once it is gone
// (§1.1, §1.2).
import type { SimResult } from '../../../simulators/index.js';

/** `head`: a current server; `sunset`: v0.13 (v1_1 generation with `sunset`). */
export function deprecationHeaders(head: boolean, sunset: boolean): Record<string, string> {
  // v0.12: both links to the v1_1 page; v0.13 (sunset): a new date and a versioned sunset link;
  // HEAD: the deprecation link points to the introduction (§1.1). Two Link headers, joined.
  const docs = 'https://flexmeasures.readthedocs.io/en';
  const deprecation = head ? `${docs}/latest/api/introduction.html#deprecation-and-sunset` : `${docs}/latest/api/v1_1.html`;
  const sunsetLink = head || sunset ? `${docs}/v0.13.0/api/v1_1.html` : `${docs}/latest/api/v1_1.html`;
  return {
    deprecation: 'Tue, 13 Dec 2022 23:59:59 GMT',
    sunset: head || sunset ? 'Sun, 30 Apr 2023 23:59:59 GMT' : 'Tue, 31 Jan 2023 23:59:59 GMT',
    link: `<${deprecation}>; rel="deprecation"; type="text/html", <${sunsetLink}>; rel="sunset"; type="text/html"`,
  };
}

/** The 410 every v1_1 route answers where v1_1 is gone, or null where it still works. */
export function sunsetAnswer(head: boolean, sunset: boolean, route: string): SimResult | null {
  // Current servers removed v1_1 (410 always); v0.13 sunsets it by default (§1.2).
  if (!(head || sunset)) return null;
  return {
    route,
    authorized: null,
    status: 410,
    body: {
      message:
        'API version 1.1 has been sunset. Please upgrade to API version 3.0. See https://flexmeasures.readthedocs.io/en/v0.13.0/api/v1_1.html for more information.',
      status: 410,
    },
  };
}
