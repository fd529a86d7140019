// The example dashboard: a chart per sensor over the chosen window, each series asked for with
// `maxPoints` equal to the chart's width in pixels (the gateway keeps each pixel column's extremes,
// so a year of 10-minute data draws as it would in full), and a live value per sensor from the
// `latestValues` subscription over graphql-ws. Plain browser JavaScript, no framework and no build
// step; uPlot and the graphql-ws client are the npm packages, served by scripts/dashboard.ts.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { createClient } from '/vendor/graphql-ws/client.js';

const params = new URLSearchParams(location.search);
/** The gateway's GraphQL URL: `?gateway=…`, else what the dashboard's server wrote into the page. */
const gateway = params.get('gateway') ?? document.querySelector('meta[name="gateway"]').content;
/** A Meetnet wind sensor, a FlexMeasures solar park, a BEMServer building's electricity; `?sensors=a,b` for others. */
const sensorIds = (params.get('sensors') ?? 'meetnet:sensor:MP7WVC,flexmeasures:sensor:31,bemserver:sensor:1')
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean);

const DAY = 24 * 3600 * 1000;
const WINDOWS = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const HEIGHT = 200;

const SERIES = `query DashboardSeries($ids: [ID!]!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
  timeSeries(sensorIds: $ids, from: $from, to: $to, maxPoints: $maxPoints) {
    sensor { id name unit }
    timestamps
    values
  }
}`;

const LIVE = `subscription DashboardLive($ids: [ID!]!) {
  latestValues(sensorIds: $ids) { sensorId time value unit }
}`;

const select = document.getElementById('window');
const status = document.getElementById('status');
const errorList = document.getElementById('errors');

/** One card per sensor: its title, live value and chart (uPlot, made at the first answer). */
const cards = sensorIds.map((id, i) => {
  const el = document.getElementById('card').content.firstElementChild.cloneNode(true);
  el.dataset.sensor = id;
  el.querySelector('h2').textContent = id;
  document.getElementById('charts').append(el);
  return {
    id,
    el,
    color: COLORS[i % COLORS.length],
    chart: el.querySelector('.chart'),
    value: el.querySelector('.live .value'),
    time: el.querySelector('.live .time'),
    unit: '',
    plot: null,
    /** The gateway's answer as drawn (the chart's data also gets the live values). */
    series: null,
    from: 0,
    to: 0,
  };
});

// Errors are shown in the page, each under the part that met it ('series' or 'live').
function showError(source, message) {
  const li = document.createElement('li');
  li.dataset.source = source;
  li.textContent = message;
  errorList.append(li);
}
function clearErrors(source) {
  for (const li of errorList.querySelectorAll(`li[data-source="${source}"]`)) li.remove();
}
const describe = (e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`;

/** One GraphQL request over HTTP from this page's origin: the gateway's CORS_ORIGINS must name it. */
async function graphql(query, variables) {
  let res;
  try {
    res = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the gateway at ${gateway} (${err.message}): is it running, and does its CORS_ORIGINS include ${location.origin}?`,
      { cause: err },
    );
  }
  try {
    return await res.json();
  } catch {
    throw new Error(`the gateway answered ${res.status} ${res.statusText} without a GraphQL response`);
  }
}

const iso = (ms) => new Date(ms).toISOString();
const format = (value) => (value === null || value === undefined ? '–' : value.toLocaleString('en', { maximumFractionDigits: 3 }));

function plotOptions(card, width) {
  return {
    width,
    height: HEIGHT,
    // The x axis spans the window asked for, whatever part of it has data.
    scales: { x: { time: true, range: () => [card.from / 1000, card.to / 1000] } },
    series: [{}, { label: 'value', stroke: card.color, width: 1, value: (_, v) => `${format(v)} ${card.unit}` }],
    axes: [{}, { size: 60 }],
  };
}

function draw(card, series, from, to, width) {
  card.from = from;
  card.to = to;
  card.series = series;
  if (!series) {
    // Its error is in the list above; an empty chart rather than the previous window's.
    card.plot?.setData([[], []]);
    return;
  }
  card.unit = series.sensor.unit ?? '';
  card.el.querySelector('h2').textContent = series.sensor.name;
  const data = [series.timestamps.map((t) => Date.parse(t) / 1000), series.values];
  if (!card.plot) card.plot = new uPlot(plotOptions(card, width), data, card.chart);
  else {
    card.plot.setSize({ width, height: HEIGHT });
    card.plot.setData(data);
  }
}

let generation = 0;

/** Reads every sensor's series over the chosen window, at most one point per pixel column. */
async function load() {
  const mine = ++generation;
  const span = WINDOWS[select.value];
  const to = Math.floor(Date.now() / 60_000) * 60_000;
  const from = to - span;
  const width = Math.floor(cards[0].chart.clientWidth);
  status.textContent = 'loading…';
  document.body.dataset.state = 'loading';
  const started = performance.now();
  let body;
  try {
    body = await graphql(SERIES, { ids: sensorIds, from: iso(from), to: iso(to), maxPoints: width });
  } catch (err) {
    if (mine !== generation) return;
    clearErrors('series');
    showError('series', err.message);
    status.textContent = 'failed';
    document.body.dataset.state = 'failed';
    return;
  }
  if (mine !== generation) return; // a newer window was chosen meanwhile
  clearErrors('series');
  for (const e of body.errors ?? []) showError('series', describe(e));
  const all = body.data?.timeSeries ?? [];
  cards.forEach((card, i) => draw(card, all[i] ?? null, from, to, width));
  const points = all.reduce((n, s) => n + (s?.timestamps.length ?? 0), 0);
  status.textContent = `${points} points in ${Math.round(performance.now() - started)} ms`;
  document.body.dataset.window = select.value;
  document.body.dataset.state = 'ready';
}

/** A new value: shown as the live value, and added to the chart, which slides to end at it. */
function onLive(event) {
  const card = cards.find((c) => c.id === event.sensorId);
  if (!card) return;
  card.value.textContent = `${format(event.value)} ${event.unit ?? card.unit}`;
  card.time.textContent = `at ${new Date(event.time).toLocaleString()}`;
  card.el.dataset.liveTime = event.time;
  const t = Date.parse(event.time);
  const [xs, ys] = card.plot?.data ?? [];
  if (!xs || (xs.length > 0 && t / 1000 <= xs[xs.length - 1])) return;
  const span = card.to - card.from;
  card.to = Math.max(card.to, t);
  card.from = card.to - span;
  const keep = xs.findIndex((x) => x >= card.from / 1000);
  const start = keep === -1 ? xs.length : keep;
  card.plot.setData([
    [...xs.slice(start), t / 1000],
    [...ys.slice(start), event.value],
  ]);
}

/** Live values over graphql-ws: the same host and path, ws:// for http:// and wss:// for https://. */
function subscribe() {
  // It retries a lost connection a few times by itself; the error callback below is its last word.
  const url = gateway.replace(/^http/, 'ws');
  const client = createClient({ url, on: { connected: () => clearErrors('live') } });
  // One subscription per sensor over the one connection: a sensor the gateway refuses (an unknown
  // ID ends its subscription with the error) leaves the others' live values coming.
  for (const id of sensorIds) subscribeTo(client, url, id);
}

function subscribeTo(client, url, id) {
  client.subscribe(
    { query: LIVE, variables: { ids: [id] } },
    {
      next: (message) => {
        for (const e of message.errors ?? []) showError('live', describe(e));
        if (message.data?.latestValues) onLive(message.data.latestValues);
      },
      error: (err) => {
        // graphql-ws hands a list of GraphQL errors, an Error, or the socket's close event.
        if (Array.isArray(err)) for (const e of err) showError('live', describe(e));
        else if (err instanceof Error) showError('live', `live values: ${err.message}`);
        else if ('code' in err) showError('live', `the live connection closed (${err.code}${err.reason ? `: ${err.reason}` : ''})`);
        else showError('live', `cannot open the live connection to ${url}`);
      },
      complete: () => undefined,
    },
  );
}

select.addEventListener('change', load);
let resizing;
addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(load, 300);
});
// For the browser's console and the end-to-end test: the charts and the gateway they read.
window.dashboard = { gateway, cards };
load();
subscribe();
