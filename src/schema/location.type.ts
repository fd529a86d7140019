import { Directive, Field, Float, ID, ObjectType } from './type-graphql.js';
import type { UpstreamName } from '../shared/domain.js';
import { GeoPointType, Page } from './common.type.js';
import { UpstreamEnum } from './upstream-enum.js';
import { NodeInterface } from './node.type.js';

// An entity of the federated graph: other subgraphs reference it by its global id.
@Directive('@key(fields: "id")')
@ObjectType('Location', {
  implements: NodeInterface,
  description:
    'A place that measures: a Meetnet buoy, measuring pile or weather station; a FlexMeasures asset; a BEMServer site, building, storey, space or zone.',
})
export class LocationType {
  @Field(() => ID, { description: 'Global ID, e.g. `meetnet:location:MP7`.' })
  id!: string;

  @Field(() => UpstreamEnum)
  upstream!: UpstreamName;

  @Field(() => String, { description: "The upstream's own ID, e.g. `MP7`." })
  nativeId!: string;

  // name, description, descriptionText, sensors: field resolvers (they take a language).

  @Field(() => String, {
    nullable: true,
    description: 'What kind of place, where the upstream says: campaign, site, building, storey, space or zone (BEMServer).',
  })
  kind?: string | null;

  @Field(() => GeoPointType, { nullable: true, description: 'Where it is; null when the upstream gives no usable position.' })
  position!: GeoPointType | null;
}

// What depends on the query that listed a location (its distance from `near`) lives on an edge of
// the page, not on the Location: a normalised client cache (Apollo Client's) keeps one Location per
// id, and a second query near another point would overwrite the first one's distances.
@ObjectType('LocationEdge', { description: 'A location of a page, with what depends on the query that listed it.' })
export class LocationEdge {
  @Field(() => LocationType)
  node!: LocationType;

  @Field(() => Float, { nullable: true, description: "Distance in km from the query's `near` point; null without one." })
  distanceKm!: number | null;
}

@ObjectType('LocationPage')
export class LocationPage extends Page(LocationType) {
  @Field(() => [LocationEdge], { description: 'The same locations as `nodes`, each with its distance from `near`.' })
  edges!: LocationEdge[];
}
