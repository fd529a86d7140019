// The example dashboard and GraphiQL in a real browser: Debian's chromium, headless, driven by
// playwright-core. The gateway runs on its simulators; the dashboard is served by its own server on
// another port, so every call it makes to the gateway is cross-origin (CORS) as a real dashboard's.
// Nothing a page asks for may leave 127.0.0.1 (checked after each test): no CDN, no font, no telemetry.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startDashboard, type DashboardServer } from '../../scripts/dashboard.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { gql } from '../helpers/graphql.js';

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
  app = await startTestApp({ CORS_ORIGINS: new URL(dashboard.url).origin, LIVE_POLL_INTERVAL_MS: '200' });
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

const dashboardUrl = (query = '') => `${dashboard.url}?gateway=${encodeURIComponent(gatewayUrl)}${query}`;

interface Drawn {
  id: string;
  name: string;
  width: number;
  /** Points of the gateway's answer, as drawn at load. */
  points: number;
  drawnPoints: number;
  min: number | null;
  max: number | null;
  from: number;
  to: number;
  /** Pixels of the canvas in the series' colour. */
  inked: number;
}

/** What each chart of the page drew, read from its uPlot instance and its canvas. */
function readCharts(page: Page): Promise<Drawn[]> {
  return page.evaluate(() => {
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    type Card = {
      id: string;
      el: HTMLElement;
      color: string;
      from: number;
      to: number;
      series: { timestamps: string[]; values: Array<number | null> } | null;
      plot: { width: number; data: number[][]; ctx: CanvasRenderingContext2D } | null;
    };
    const cards = (window as unknown as { dashboard: { cards: Card[] } }).dashboard.cards;
    return cards.map((card) => {
      const values = (card.series?.values ?? []).filter((v): v is number => v !== null);
      let inked = 0;
      if (card.plot) {
        const { canvas } = card.plot.ctx;
        const pixels = card.plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const [r, g, b] = hex(card.color);
        for (let i = 0; i < pixels.length; i += 4)
          if (pixels[i + 3]! > 128 && Math.abs(pixels[i]! - r!) + Math.abs(pixels[i + 1]! - g!) + Math.abs(pixels[i + 2]! - b!) < 60)
            inked++;
      }
      return {
        id: card.id,
        name: card.el.querySelector('h2')!.textContent!,
        width: card.plot?.width ?? 0,
        points: card.series?.timestamps.length ?? 0,
        drawnPoints: card.plot?.data[0]!.length ?? 0,
        min: values.length ? Math.min(...values) : null,
        max: values.length ? Math.max(...values) : null,
        from: card.from,
        to: card.to,
        inked,
      };
    });
  });
}

/** The errors the page shows: of its series ('series'), of its live values ('live'), or all. */
const errorsShown = (page: Page, source?: 'series' | 'live') =>
  page.$$eval(source ? `#errors li[data-source="${source}"]` : '#errors li', (items) => items.map((li) => li.textContent));

async function waitForWindow(page: Page, window: string) {
  await page.waitForFunction((w) => document.body.dataset.state === 'ready' && document.body.dataset.window === w, window);
}

describe('the example dashboard in Chromium', () => {
  it('draws each sensor over a day from another origin, at most one point per pixel column, on a canvas that is not blank', async () => {
    const page = await newPage();
    // Headers as sent and received (allHeaders: the network's own, Origin included).
    const answers: Array<Promise<{ origin: string | undefined; allowed: string | undefined }>> = [];
    page.on('response', (res) => {
      if (res.url() === gatewayUrl && res.request().method() === 'POST')
        answers.push(
          Promise.all([res.request().allHeaders(), res.allHeaders()]).then(([sent, got]) => ({
            origin: sent.origin,
            allowed: got['access-control-allow-origin'],
          })),
        );
    });
    await page.goto(dashboardUrl());
    await waitForWindow(page, 'day');
    expect(await errorsShown(page)).toEqual([]);
    const charts = await readCharts(page);
    expect(charts.map((c) => c.id)).toEqual(['meetnet:sensor:MP7WVC', 'flexmeasures:sensor:31', 'bemserver:sensor:1']);
    for (const chart of charts) {
      expect(chart.name, chart.id).not.toBe(chart.id); // the sensor's name came back
      expect(chart.width, chart.id).toBeGreaterThan(500);
      expect(chart.points, chart.id).toBeGreaterThan(90); // a day at 10 or 15 minutes: 144 or 96
      expect(chart.points, chart.id).toBeLessThanOrEqual(chart.width);
      expect(chart.drawnPoints, chart.id).toBeGreaterThanOrEqual(chart.points);
      expect(chart.inked, chart.id).toBeGreaterThan(200);
    }
    // Cross-origin: the browser sent the dashboard's origin and the gateway allowed it.
    const origin = new URL(dashboard.url).origin;
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of await Promise.all(answers)) expect(answer).toEqual({ origin, allowed: origin });
    await page.close();
  });

  it('a year of each sensor comes as at most one point per pixel column, its true minimum and maximum kept', async () => {
    const page = await newPage();
    await page.goto(dashboardUrl());
    await waitForWindow(page, 'day');
    await page.selectOption('#window', 'year');
    await waitForWindow(page, 'year');
    expect(await errorsShown(page, 'series')).toEqual([]);
    const charts = await readCharts(page);
    // The same window in full from the gateway: its extremes are the drawn series' extremes.
    const { from, to } = charts[0]!;
    expect(to - from).toBe(365 * 86_400_000);
    const full = await gql(
      gatewayUrl,
      `query ($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { timeSeries(sensorIds: $ids, from: $from, to: $to) { count min max } }`,
      {
        ids: charts.map((c) => c.id),
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      },
    );
    expect(full.errors).toBeUndefined();
    charts.forEach((chart, i) => {
      const whole = full.data!.timeSeries[i]!;
      expect(whole.count, chart.id).toBeGreaterThan(30_000); // a year at 10 or 15 minutes
      expect(chart.points, chart.id).toBeLessThanOrEqual(chart.width);
      expect(chart.points, chart.id).toBeGreaterThan(chart.width / 4);
      expect([chart.min, chart.max], chart.id).toEqual([whole.min, whole.max]);
      expect(chart.inked, chart.id).toBeGreaterThan(200);
    });
    await page.close();
  });

  it("shows the gateway's errors in the page, and draws and updates what it could", async () => {
    const page = await newPage();
    await page.goto(dashboardUrl('&sensors=meetnet:sensor:NOPE,flexmeasures:sensor:31'));
    await waitForWindow(page, 'day');
    const errors = await errorsShown(page, 'series');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/NOPE.*\(BAD_USER_INPUT\)$/);
    const [unknown, solar] = await readCharts(page);
    expect(unknown!.points).toBe(0);
    expect(solar!.points).toBeGreaterThan(90);
    expect(solar!.inked).toBeGreaterThan(200);
    // The unknown sensor's live value is refused, and the other's comes all the same.
    await page.waitForSelector('#errors li[data-source="live"]');
    expect((await errorsShown(page, 'live')).join('\n')).toMatch(/NOPE/);
    await page.waitForFunction(() => Boolean(document.querySelectorAll<HTMLElement>('.card')[1]?.dataset.liveTime));
    await page.close();
  });

  it("served from an origin the gateway's CORS_ORIGINS does not name, the page says so", async () => {
    const other = await startDashboard({ port: 0, host: '127.0.0.1', gatewayUrl: gatewayUrl });
    try {
      const page = await newPage();
      await page.goto(other.url);
      await page.waitForSelector('#errors li[data-source="series"]');
      expect((await errorsShown(page, 'series')).join('\n')).toContain(`does its CORS_ORIGINS include ${new URL(other.url).origin}?`);
      await page.close();
    } finally {
      await other.close();
    }
  });

  it('a live value arrives for each sensor over the latestValues subscription (graphql-ws), then each new one, added to its chart', async () => {
    const page = await newPage();
    await page.goto(dashboardUrl());
    await waitForWindow(page, 'day');
    const liveTimes = () =>
      page.$$eval('.card', (cards) =>
        cards.map((card) => ({
          time: (card as HTMLElement).dataset.liveTime ?? '',
          value: card.querySelector('.live .value')!.textContent!,
        })),
      );
    // The current value of each sensor comes at once on subscribing: the sensor's latest value.
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.card')].every((card) => card.dataset.liveTime));
    const first = await liveTimes();
    const ids = ['meetnet:sensor:MP7WVC', 'flexmeasures:sensor:31', 'bemserver:sensor:1'];
    const latest = await gql(gatewayUrl, `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Sensor { unit latest { time } } } }`, { ids });
    const nodes = latest.data!.nodes as Array<{ unit: string; latest: { time: string } }>;
    expect(first.map((l) => Date.parse(l.time))).toEqual(nodes.map((n) => Date.parse(n.latest.time)));
    first.forEach((l, i) => expect(l.value).toMatch(new RegExp(`^-?[\\d,.]+ ${nodes[i]!.unit}$`)));
    const before = await readCharts(page);

    // Half an hour later on the upstreams' clocks: each sensor has a newer value, which the poller
    // (every 200 ms here, LIVE_POLL_INTERVAL_MS) finds and the page shows and draws.
    for (const sim of Object.values(app.simulators)) sim!.setClock(() => Date.now() + 30 * 60_000);
    onTestFinished(() => {
      for (const sim of Object.values(app.simulators)) sim!.setClock(Date.now);
    });
    await page.waitForFunction(
      (old) =>
        [...document.querySelectorAll<HTMLElement>('.card')].every((card, i) => Date.parse(card.dataset.liveTime!) > Date.parse(old[i]!)),
      first.map((l) => l.time),
    );
    // Each chart slid to end at its new value, over a window as long as before.
    const after = await readCharts(page);
    after.forEach((chart, i) => {
      expect(chart.to, chart.id).toBeGreaterThan(before[i]!.to);
      expect(chart.to - chart.from, chart.id).toBe(before[i]!.to - before[i]!.from);
    });
    const lastDrawn = await page.evaluate(() =>
      (window as unknown as { dashboard: { cards: Array<{ el: HTMLElement; plot: { data: number[][] } }> } }).dashboard.cards.map((c) => ({
        live: Date.parse(c.el.dataset.liveTime!) / 1000,
        last: c.plot.data[0]!.at(-1),
      })),
    );
    for (const { live, last } of lastDrawn) expect(last).toBe(live);
    expect(await errorsShown(page)).toEqual([]);
    await page.close();
  });
});

describe('GraphiQL in Chromium', () => {
  it('renders with its example tabs and the explorer, and runs a query and a subscription', async () => {
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
    // Runs the open tab until its answer shows. GraphiQL ignores a click on its run button while it
    // still loads the schema (seen on a busy machine), and errs on one right after a tab switch
    // (below): the click is repeated, the answer awaited.
    const run = async (text: string) => {
      for (let attempt = 1; ; attempt++) {
        await page.click('.graphiql-execute-button');
        const shown = await page
          .waitForFunction((t) => document.querySelector('.result-window')?.textContent?.includes(t), text, { timeout: 10_000 })
          .then(() => true)
          .catch((err: unknown) => (attempt < 3 ? false : Promise.reject(err)));
        if (shown) return;
      }
    };
    // Opens a tab and waits for its document in the editor. GraphiQL takes the tab's operation name
    // a moment later: a run clicked at once sends the new document under the old tab's name
    // ("Unknown operation named \"Map\"" from the LiveValues tab, seen with Chromium 156.0.8078.114;
    // a pause of a few seconds before the click never did), which run() repeats past.
    const openTab = async (name: string, head: string) => {
      await page.click(`.graphiql-tab:has-text("${name}") button.graphiql-tab-button`);
      await page.waitForSelector(`.graphiql-tab-active:has-text("${name}")`);
      await page.waitForFunction((h) => document.querySelector('.graphiql-query-editor')?.textContent?.includes(h), head);
    };
    // The first tab (a dashboard with maxPoints) and the map run, and their answers show.
    await run('"timeSeries"');
    expect(await page.textContent('.result-window')).not.toContain('"errors"');
    await openTab('Map', 'query Map');
    await run('"totalCount"');
    expect(await page.textContent('.result-window')).toContain('meetnet:location:');
    // The subscription tab: its first events come over the WebSocket to the same host.
    await openTab('LiveValues', 'subscription LiveValues');
    await run('"latestValues"');
    expect(await page.textContent('.result-window')).toContain('"sensorId"');
    expect(requested.some((url) => url === gatewayUrl.replace(/^http/, 'ws'))).toBe(true);
    await page.click('.graphiql-execute-button'); // stops it
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
