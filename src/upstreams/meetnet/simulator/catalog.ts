// The simulated Meetnet API's catalogue: the recorded default, its series, and its text as the API writes it.
import catalog2020 from './catalog-2020.json' with { type: 'json' };
import type { CatalogResponse, CustomerModel } from '../wire.js';

/** One series of the catalogue (an AvailableData entry), as the data routes use it. */
export interface Series {
  id: string;
  location: string;
  parameter: string;
  intervalMin: number;
}

export function loadDefaultCatalog(): CatalogResponse {
  // The recorded catalog is bundled with the simulator (a JSON import), so nothing is copied at build time.
  return catalog2020 as CatalogResponse;
}

/** The catalogue's series by ID. */
export function seriesById(catalog: CatalogResponse): Map<string, Series> {
  const series = new Map<string, Series>();
  for (const a of catalog.AvailableData) {
    series.set(a.ID, { id: a.ID, location: a.Location, parameter: a.Parameter, intervalMin: a.CurrentInterval });
  }
  return series;
}

/**
 * The catalog as the API writes it: key order Customer, Locations, Parameters, ParameterTypes,
 * AvailableData, ProjectionWKT, and ParameterTypes keyed by ID but listed by SortOrder ("1","2",
 * "4","3","0" in 2020, §4.1), which JSON.stringify cannot do: JS objects list integer keys first.
 */
export function serializeCatalog(catalog: CatalogResponse, customer: CustomerModel): string {
  const types = Object.entries(catalog.ParameterTypes)
    .sort(([, a], [, b]) => a.SortOrder - b.SortOrder)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(',');
  const j = JSON.stringify;
  return (
    `{"Customer":${j(customer)},"Locations":${j(catalog.Locations)},"Parameters":${j(catalog.Parameters)},` +
    `"ParameterTypes":{${types}},"AvailableData":${j(catalog.AvailableData)},"ProjectionWKT":${j(catalog.ProjectionWKT)}}`
  );
}
