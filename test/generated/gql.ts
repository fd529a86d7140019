/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Dashboard($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n      unit\n      latest {\n        time\n        value\n      }\n    }\n    from\n    to\n    timestamps\n    values\n    min\n    max\n    count\n  }\n}": typeof types.DashboardDocument,
    "query Location($id: ID!, $language: Language) {\n  location(id: $id) {\n    id\n    name(language: $language)\n    description(language: $language)\n    descriptionText(language: $language)\n    position {\n      latitude\n      longitude\n    }\n    sensors {\n      id\n      intervalMinutes\n    }\n  }\n}": typeof types.LocationDocument,
    "query Locations($upstream: Upstream, $search: String, $near: NearInput, $withinKm: Float, $first: Int, $after: String, $language: Language) {\n  locations(\n    upstream: $upstream\n    search: $search\n    near: $near\n    withinKm: $withinKm\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      upstream\n      nativeId\n      name(language: $language)\n      position {\n        latitude\n        longitude\n      }\n      distanceKm\n    }\n  }\n}": typeof types.LocationsDocument,
    "query Parameters($upstream: Upstream, $language: Language) {\n  parameters(upstream: $upstream) {\n    id\n    code\n    name(language: $language)\n    unit\n    category(language: $language)\n  }\n}": typeof types.ParametersDocument,
    "query SensorDetail($id: ID!, $from: DateTime!, $to: DateTime!, $language: Language) {\n  sensor(id: $id) {\n    id\n    upstream\n    nativeId\n    name(language: $language)\n    unit\n    intervalMinutes\n    publications\n    location {\n      id\n      name(language: $language)\n    }\n    parameter {\n      id\n      code\n      name(language: $language)\n      unit\n      category(language: $language)\n    }\n    latest {\n      time\n      value\n    }\n    series(from: $from, to: $to) {\n      from\n      to\n      unit\n      count\n      min\n      max\n      points {\n        time\n        value\n      }\n    }\n  }\n}": typeof types.SensorDetailDocument,
    "query Sensors($upstream: Upstream, $locationId: ID, $parameterId: ID, $first: Int, $after: String) {\n  sensors(\n    upstream: $upstream\n    locationId: $locationId\n    parameterId: $parameterId\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      nativeId\n      unit\n      intervalMinutes\n      publications\n    }\n  }\n}": typeof types.SensorsDocument,
    "query SeriesPoints($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n    }\n    unit\n    points {\n      time\n      value\n    }\n    min\n    max\n    count\n  }\n}": typeof types.SeriesPointsDocument,
    "query Upstreams {\n  upstreams {\n    name\n    reachable\n    apiVersion\n    latencyMs\n    simulated\n    message\n  }\n}": typeof types.UpstreamsDocument,
};
const documents: Documents = {
    "query Dashboard($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n      unit\n      latest {\n        time\n        value\n      }\n    }\n    from\n    to\n    timestamps\n    values\n    min\n    max\n    count\n  }\n}": types.DashboardDocument,
    "query Location($id: ID!, $language: Language) {\n  location(id: $id) {\n    id\n    name(language: $language)\n    description(language: $language)\n    descriptionText(language: $language)\n    position {\n      latitude\n      longitude\n    }\n    sensors {\n      id\n      intervalMinutes\n    }\n  }\n}": types.LocationDocument,
    "query Locations($upstream: Upstream, $search: String, $near: NearInput, $withinKm: Float, $first: Int, $after: String, $language: Language) {\n  locations(\n    upstream: $upstream\n    search: $search\n    near: $near\n    withinKm: $withinKm\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      upstream\n      nativeId\n      name(language: $language)\n      position {\n        latitude\n        longitude\n      }\n      distanceKm\n    }\n  }\n}": types.LocationsDocument,
    "query Parameters($upstream: Upstream, $language: Language) {\n  parameters(upstream: $upstream) {\n    id\n    code\n    name(language: $language)\n    unit\n    category(language: $language)\n  }\n}": types.ParametersDocument,
    "query SensorDetail($id: ID!, $from: DateTime!, $to: DateTime!, $language: Language) {\n  sensor(id: $id) {\n    id\n    upstream\n    nativeId\n    name(language: $language)\n    unit\n    intervalMinutes\n    publications\n    location {\n      id\n      name(language: $language)\n    }\n    parameter {\n      id\n      code\n      name(language: $language)\n      unit\n      category(language: $language)\n    }\n    latest {\n      time\n      value\n    }\n    series(from: $from, to: $to) {\n      from\n      to\n      unit\n      count\n      min\n      max\n      points {\n        time\n        value\n      }\n    }\n  }\n}": types.SensorDetailDocument,
    "query Sensors($upstream: Upstream, $locationId: ID, $parameterId: ID, $first: Int, $after: String) {\n  sensors(\n    upstream: $upstream\n    locationId: $locationId\n    parameterId: $parameterId\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      nativeId\n      unit\n      intervalMinutes\n      publications\n    }\n  }\n}": types.SensorsDocument,
    "query SeriesPoints($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n    }\n    unit\n    points {\n      time\n      value\n    }\n    min\n    max\n    count\n  }\n}": types.SeriesPointsDocument,
    "query Upstreams {\n  upstreams {\n    name\n    reachable\n    apiVersion\n    latencyMs\n    simulated\n    message\n  }\n}": types.UpstreamsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Dashboard($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n      unit\n      latest {\n        time\n        value\n      }\n    }\n    from\n    to\n    timestamps\n    values\n    min\n    max\n    count\n  }\n}"): (typeof documents)["query Dashboard($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n      unit\n      latest {\n        time\n        value\n      }\n    }\n    from\n    to\n    timestamps\n    values\n    min\n    max\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Location($id: ID!, $language: Language) {\n  location(id: $id) {\n    id\n    name(language: $language)\n    description(language: $language)\n    descriptionText(language: $language)\n    position {\n      latitude\n      longitude\n    }\n    sensors {\n      id\n      intervalMinutes\n    }\n  }\n}"): (typeof documents)["query Location($id: ID!, $language: Language) {\n  location(id: $id) {\n    id\n    name(language: $language)\n    description(language: $language)\n    descriptionText(language: $language)\n    position {\n      latitude\n      longitude\n    }\n    sensors {\n      id\n      intervalMinutes\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Locations($upstream: Upstream, $search: String, $near: NearInput, $withinKm: Float, $first: Int, $after: String, $language: Language) {\n  locations(\n    upstream: $upstream\n    search: $search\n    near: $near\n    withinKm: $withinKm\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      upstream\n      nativeId\n      name(language: $language)\n      position {\n        latitude\n        longitude\n      }\n      distanceKm\n    }\n  }\n}"): (typeof documents)["query Locations($upstream: Upstream, $search: String, $near: NearInput, $withinKm: Float, $first: Int, $after: String, $language: Language) {\n  locations(\n    upstream: $upstream\n    search: $search\n    near: $near\n    withinKm: $withinKm\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      upstream\n      nativeId\n      name(language: $language)\n      position {\n        latitude\n        longitude\n      }\n      distanceKm\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Parameters($upstream: Upstream, $language: Language) {\n  parameters(upstream: $upstream) {\n    id\n    code\n    name(language: $language)\n    unit\n    category(language: $language)\n  }\n}"): (typeof documents)["query Parameters($upstream: Upstream, $language: Language) {\n  parameters(upstream: $upstream) {\n    id\n    code\n    name(language: $language)\n    unit\n    category(language: $language)\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SensorDetail($id: ID!, $from: DateTime!, $to: DateTime!, $language: Language) {\n  sensor(id: $id) {\n    id\n    upstream\n    nativeId\n    name(language: $language)\n    unit\n    intervalMinutes\n    publications\n    location {\n      id\n      name(language: $language)\n    }\n    parameter {\n      id\n      code\n      name(language: $language)\n      unit\n      category(language: $language)\n    }\n    latest {\n      time\n      value\n    }\n    series(from: $from, to: $to) {\n      from\n      to\n      unit\n      count\n      min\n      max\n      points {\n        time\n        value\n      }\n    }\n  }\n}"): (typeof documents)["query SensorDetail($id: ID!, $from: DateTime!, $to: DateTime!, $language: Language) {\n  sensor(id: $id) {\n    id\n    upstream\n    nativeId\n    name(language: $language)\n    unit\n    intervalMinutes\n    publications\n    location {\n      id\n      name(language: $language)\n    }\n    parameter {\n      id\n      code\n      name(language: $language)\n      unit\n      category(language: $language)\n    }\n    latest {\n      time\n      value\n    }\n    series(from: $from, to: $to) {\n      from\n      to\n      unit\n      count\n      min\n      max\n      points {\n        time\n        value\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Sensors($upstream: Upstream, $locationId: ID, $parameterId: ID, $first: Int, $after: String) {\n  sensors(\n    upstream: $upstream\n    locationId: $locationId\n    parameterId: $parameterId\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      nativeId\n      unit\n      intervalMinutes\n      publications\n    }\n  }\n}"): (typeof documents)["query Sensors($upstream: Upstream, $locationId: ID, $parameterId: ID, $first: Int, $after: String) {\n  sensors(\n    upstream: $upstream\n    locationId: $locationId\n    parameterId: $parameterId\n    first: $first\n    after: $after\n  ) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    nodes {\n      id\n      nativeId\n      unit\n      intervalMinutes\n      publications\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SeriesPoints($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n    }\n    unit\n    points {\n      time\n      value\n    }\n    min\n    max\n    count\n  }\n}"): (typeof documents)["query SeriesPoints($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {\n  timeSeries(sensorIds: $ids, from: $from, to: $to) {\n    sensor {\n      id\n    }\n    unit\n    points {\n      time\n      value\n    }\n    min\n    max\n    count\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Upstreams {\n  upstreams {\n    name\n    reachable\n    apiVersion\n    latencyMs\n    simulated\n    message\n  }\n}"): (typeof documents)["query Upstreams {\n  upstreams {\n    name\n    reachable\n    apiVersion\n    latencyMs\n    simulated\n    message\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;