import { Field, Float, InputType, Int, ObjectType, registerEnumType } from './type-graphql.js';
import type { ClassType } from './type-graphql.js';
import { Language } from '../shared/domain.js';

registerEnumType(Language, {
  name: 'Language',
  description: 'Language of names and descriptions. When the upstream has no text in it: English, then Dutch, then French.',
});

@ObjectType('GeoPoint', { description: 'A WGS 84 position (EPSG:4326), in degrees.' })
export class GeoPointType {
  @Field(() => Float)
  latitude!: number;

  @Field(() => Float)
  longitude!: number;
}

@InputType('NearInput', { description: 'A WGS 84 position to sort and filter by distance.' })
export class NearInput {
  @Field(() => Float, { description: 'Degrees north, -90 to 90.' })
  latitude!: number;

  @Field(() => Float, { description: 'Degrees east, -180 to 180.' })
  longitude!: number;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

/** A page of `T`: named `...Page` so it never collides with the domain type `Connection`. */
export function Page<T extends object>(itemType: ClassType<T>) {
  @ObjectType() // not reachable from the schema itself, so never emitted
  abstract class PageClass {
    @Field(() => [itemType])
    nodes!: T[];

    @Field(() => Int, { description: 'Items matching the filters, over all pages.' })
    totalCount!: number;

    @Field(() => PageInfoType)
    pageInfo!: PageInfoType;
  }
  return PageClass;
}
