// The example tabs GraphiQL opens with: what a newcomer would build first (a dashboard, a map, a
// week bucketed hourly, a frame, live values), on sensors of the three upstreams that the built-in
// simulators serve. Windows end at the current hour: the page writes their ends into the queries
// when it loads (in place of FROM and TO below), so an example always asks for recent data. The
// times are written in the query, not passed as variables: GraphiQL 3 shows the first default
// tab's query but not its variables.

export interface ExampleTab {
  query: string;
  /** Length of the window ending at the current hour, written in place of FROM and TO. */
  windowHours?: number;
}

/** Replaced by the page with the window's ends (ISO 8601, UTC). */
export const FROM = '__FROM__';
export const TO = '__TO__';

/** One sensor of each upstream: Meetnet wind, FlexMeasures solar power, BEMServer electricity. */
const WIND = 'meetnet:sensor:MP7WVC';
const SOLAR = 'flexmeasures:sensor:31';
const ELECTRICITY = 'bemserver:sensor:1';

const dashboard = `# A dashboard over the three upstreams: each sensor's latest value and a day of its series,
# reduced for a chart 600 pixels wide (maxPoints keeps each pixel column's first, min, max and last).
# Press the play button (Ctrl-Enter) to run; the Explorer on the left builds queries by clicking.
query Dashboard {
  timeSeries(
    sensorIds: ["${WIND}", "meetnet:sensor:A2BGHA", "${SOLAR}", "${ELECTRICITY}"]
    from: "${FROM}"
    to: "${TO}"
    maxPoints: 600
  ) {
    sensor { id name unit latest { time value } }
    count
    min
    max
    timestamps
    values
  }
}
`;

const map = `# Every location with its position and its sensors' latest values: what a map needs.
# Locations without a position (rooms of a building) have position: null.
query Map {
  locations(first: 1000) {
    totalCount
    nodes {
      id
      name
      upstream
      position { latitude longitude }
      sensors { id name unit latest { time value } }
    }
  }
}
`;

const week = `# A week of one sensor as hourly means. Hours start on Brussels' clock (timeZone), which matters
# for DAY, WEEK and MONTH buckets; an hour without data is null.
query WeekHourly {
  sensor(id: "${WIND}") {
    name
    unit
    series(
      from: "${FROM}"
      to: "${TO}"
      bucket: { width: 1, unit: HOUR, aggregation: MEAN }
      timeZone: "Europe/Brussels"
    ) {
      count
      min
      max
      timestamps
      values
    }
  }
}
`;

const frame = `# Sensors of three upstreams on one time axis, one column each, ready for a chart or a table.
# fill: PREVIOUS carries the last value into empty buckets (NONE leaves them null).
# The same frame comes as CSV or JSON from GET /frame.csv and /frame.json (see the README).
query Frame {
  frame(
    sensorIds: ["${WIND}", "${SOLAR}", "${ELECTRICITY}"]
    from: "${FROM}"
    to: "${TO}"
    bucket: { width: 15, unit: MINUTE, aggregation: MEAN }
    fill: PREVIOUS
  ) {
    timestamps
    columns { sensor { id name } unit values }
  }
}
`;

const live = `# Live values over a WebSocket (graphql-ws): the current value of each sensor at once, then each
# new one as the upstream publishes it. Press play and leave the tab open; press stop to end.
subscription LiveValues {
  latestValues(sensorIds: ["${WIND}", "${SOLAR}", "bemserver:sensor:20"]) {
    sensorId
    time
    value
    unit
  }
}
`;

export const exampleTabs: readonly ExampleTab[] = [
  { query: dashboard, windowHours: 24 },
  { query: map },
  { query: week, windowHours: 7 * 24 },
  { query: frame, windowHours: 6 },
  { query: live },
];
