// The example dashboard and GraphiQL in a real browser: Debian's chromium, headless, driven by
// playwright-core. The gateway runs on its simulators; the dashboard is served by its own server on
// another port, so every call it makes to the gateway is cross-origin (CORS) as a real dashboard's.
// Nothing a page asks for may leave 127.0.0.1 (checked after each test): no CDN, no font, no telemetry.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '../../scripts/dashboard.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let app: TestApp;
/** The gateway's URL on 127.0.0.1 (the app names it localhost, which a browser may also try as ::1). */
let gatewayUrl: string;
let dashboard: DashboardServer;
let browser: Browser;
/** Every URL the test's pages asked for (HTTP and WebSocket). */
let requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run does), or set CHROMIUM_PATH`);
  // The page's gateway comes from ?gateway=: the default written into the page is never called.
  dashboard = await startDashboard({ port: 0, host: '127.0.0.1', gatewayUrl: 'http://127.0.0.1:9/graphql' });
  app = await startTestApp({ CORS_ORIGINS: new URL(dashboard.url).origin });
  gatewayUrl = app.url.replace('//localhost:', '//127.0.0.1:');
  browser = await chromium.launch({ executablePath: CHROMIUM });
});
// Checked after each test, on all of its pages.
afterEach(() => {
  expect(requested.length).toBeGreaterThan(0);
  const outside = requested.filter((url) => new URL(url).hostname !== '127.0.0.1');
  requested = [];
  expect(outside, 'asked for outside 127.0.0.1').toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await dashboard?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  page.on('request', (req) => requested.push(req.url()));
  page.on('websocket', (ws) => requested.push(ws.url()));
  return page;
}

const errorsShown = (page: Page) => page.$$eval('#errors li', (items) => items.map((li) => li.textContent));

describe('the example dashboard in Chromium', () => {
  it("served from an origin the gateway's CORS_ORIGINS does not name, the page says so", async () => {
    const other = await startDashboard({ port: 0, host: '127.0.0.1', gatewayUrl: gatewayUrl });
    try {
      const page = await newPage();
      await page.goto(other.url);
      await page.waitForSelector('#errors li[data-source="series"]');
      expect((await errorsShown(page)).join('\n')).toContain(`does its CORS_ORIGINS include ${new URL(other.url).origin}?`);
      await page.close();
    } finally {
      await other.close();
    }
  });
});

describe('GraphiQL in Chromium', () => {
  it('renders with its example tabs and the explorer, and runs a query', async () => {
    const page = await newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(gatewayUrl);
    await page.waitForSelector('.graphiql-tab');
    const tabs = await page.$$eval('.graphiql-tab', (els) => els.map((el) => el.textContent!.replace(/icon$/, '').trim()));
    expect(tabs).toEqual(['Dashboard', 'Map', 'WeekHourly', 'Frame', 'LiveValues']);
    // The explorer is open, listing the schema's root fields (it has read the schema by introspection).
    await page.waitForSelector('.graphiql-explorer-root');
    expect(await page.textContent('.graphiql-explorer-root')).toContain('timeSeries');
    // The Map tab's query runs and its answer shows.
    await page.click('.graphiql-tab:has-text("Map") button.graphiql-tab-button');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"totalCount"'));
    expect(await page.textContent('.result-window')).toContain('meetnet:location:');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
