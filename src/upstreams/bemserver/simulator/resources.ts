// The API's resources (§5, §6.1): fields with marshmallow's constraints, ETag, PUT, sort, filters, and the timeseries_by_* links.

type FieldType = 'str' | 'email' | 'int' | 'float' | 'datetime' | 'timezone' | 'unit' | 'valueType';

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  /** Length(1, 80) → "Length must be between 1 and 80." */
  between?: [number, number];
  /** Length(max=N) → "Longer than maximum length N." */
  maxLength?: number;
  range?: [number, number];
  /** load_default (timeseries unit_symbol "", property value_type "string"). */
  fallback?: unknown;
  /** Excluded from the PUT schema: sending it is "Unknown field." (§6). */
  putExcluded?: boolean;
  /** Foreign key: the referenced collection. */
  ref?: string;
}

export type LinkParent = 'sites' | 'buildings' | 'storeys' | 'spaces' | 'zones';

export interface ResourceDef {
  name: string;
  fields: FieldDef[];
  etag: boolean;
  paginated: boolean;
  put: boolean;
  /** Unique constraints (sets of field names). */
  unique: string[][];
  /** `sort` accepted (on `name`). */
  sortable: boolean;
  /** Simple equality filters: query name → kind. Timeseries have more, handled apart. */
  filters: Record<string, 'int' | 'str' | 'unit' | 'valueType' | 'in_name'>;
  /** timeseries_by_<parent>: the nested read-only parents. */
  link?: LinkParent;
}

export const VALUE_TYPES = ['integer', 'float', 'boolean', 'string'] as const;
const NAME: FieldDef = { name: 'name', type: 'str', required: true, between: [1, 80] };
const DESCRIPTION: FieldDef = { name: 'description', type: 'str', maxLength: 500 };
const IFC_ID: FieldDef = { name: 'ifc_id', type: 'str', maxLength: 22 };
const parentField = (name: string, ref: string): FieldDef => ({ name, type: 'int', required: true, ref, putExcluded: true });
const linkDef = (parent: LinkParent, key: string): ResourceDef => ({
  name: `timeseries_by_${parent}`,
  fields: [
    { name: 'timeseries_id', type: 'int', required: true, ref: 'timeseries' },
    { name: key, type: 'int', required: true, ref: parent },
  ],
  etag: false, // association resources carry no ETag (§5)
  paginated: true,
  put: false,
  unique: [['timeseries_id', key]],
  sortable: false,
  filters: { [key]: 'int', timeseries_id: 'int' },
  link: parent,
});

/** The usual resource (§5, §6): ETag, full-replacement PUT, `sort` on name, not paginated. */
const resourceDef = (def: Pick<ResourceDef, 'name' | 'fields' | 'unique' | 'filters'> & Partial<ResourceDef>): ResourceDef => ({
  etag: true,
  paginated: false,
  put: true,
  sortable: true,
  ...def,
});

export const RESOURCES: ResourceDef[] = [
  resourceDef({
    name: 'campaigns',
    fields: [
      NAME,
      DESCRIPTION,
      { name: 'start_time', type: 'datetime' },
      { name: 'end_time', type: 'datetime' },
      { name: 'timezone', type: 'timezone', required: true },
    ],
    unique: [['name']],
    filters: { name: 'str', in_name: 'in_name' },
  }),
  resourceDef({
    name: 'campaign_scopes',
    fields: [NAME, DESCRIPTION, parentField('campaign_id', 'campaigns')],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int' },
  }),
  resourceDef({
    name: 'sites',
    fields: [
      NAME,
      { name: 'latitude', type: 'float', range: [-90, 90] },
      { name: 'longitude', type: 'float', range: [-180, 180] },
      DESCRIPTION,
      IFC_ID,
      parentField('campaign_id', 'campaigns'),
    ],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'buildings',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('site_id', 'sites')],
    unique: [['site_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'storeys',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('building_id', 'buildings')],
    unique: [['building_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', building_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'spaces',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('storey_id', 'storeys')],
    unique: [['storey_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', site_id: 'int', building_id: 'int', storey_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'zones',
    fields: [NAME, DESCRIPTION, IFC_ID, parentField('campaign_id', 'campaigns')],
    unique: [['campaign_id', 'name']],
    filters: { name: 'str', campaign_id: 'int', ifc_id: 'str' },
  }),
  resourceDef({
    name: 'timeseries',
    fields: [
      NAME,
      { name: 'unit_symbol', type: 'unit', fallback: '' },
      DESCRIPTION,
      parentField('campaign_id', 'campaigns'),
      parentField('campaign_scope_id', 'campaign_scopes'),
    ],
    paginated: true,
    unique: [['campaign_id', 'name']],
    filters: {}, // §6.1 timeseries filters: see BemState.filterTimeseries
  }),
  resourceDef({
    name: 'timeseries_properties',
    fields: [
      // In the order bemserver-api 0.27 writes them: the description last (real server).
      NAME,
      { name: 'value_type', type: 'valueType', fallback: 'string', putExcluded: true },
      { name: 'unit_symbol', type: 'unit' },
      { name: 'description', type: 'str', maxLength: 250 },
    ],
    unique: [['name']],
    filters: { name: 'str', value_type: 'valueType', unit_symbol: 'unit' },
  }),
  resourceDef({
    name: 'timeseries_property_data',
    fields: [
      { name: 'timeseries_id', type: 'int', required: true, ref: 'timeseries' },
      { name: 'property_id', type: 'int', required: true, ref: 'timeseries_properties' },
      { name: 'value', type: 'str', required: true, maxLength: 100 },
    ],
    unique: [['timeseries_id', 'property_id']],
    sortable: false,
    filters: { timeseries_id: 'int', property_id: 'int' },
  }),
  resourceDef({ name: 'timeseries_data_states', fields: [NAME], unique: [['name']], sortable: false, filters: {} }),
  linkDef('sites', 'site_id'),
  linkDef('buildings', 'building_id'),
  linkDef('storeys', 'storey_id'),
  linkDef('spaces', 'space_id'),
  linkDef('zones', 'zone_id'),
];

export const RESOURCE_BY_NAME = new Map(RESOURCES.map((r) => [r.name, r]));
