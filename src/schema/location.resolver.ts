import { Arg, Ctx, Float, ID, Info, Int, FieldResolver, Query, Resolver, Root } from './type-graphql.js';
import type { GraphQLResolveInfo } from 'graphql';
import { Language, type Location, type Sensor } from '../shared/domain.js';
import type { UpstreamName } from '../shared/domain.js';
import type { GatewayContext } from '../context.js';
import { badInput } from '../shared/errors.js';
import { haversineKm, htmlToText, pickText } from '../shared/text.js';
import { collect } from './collect.js';
import { NearInput } from './common.type.js';
import { LocationPage, LocationType } from './location.type.js';
import { paginate } from './paginate.js';
import { SensorType } from './sensor.type.js';
import { UpstreamEnum } from './upstream-enum.js';

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function matches(loc: Location, needle: string): boolean {
  if (fold(loc.nativeId).includes(needle)) return true;
  return Object.values(loc.name).some((n) => n !== undefined && fold(n).includes(needle));
}

/** Resolves a location ID to its location, or throws BAD_USER_INPUT naming what is wrong. */
export async function findLocation(ctx: GatewayContext, id: string, argument: string): Promise<Location> {
  const { upstream } = ctx.registry.parse(id, 'location', argument);
  const loc = await ctx.registry.get(upstream).location(id);
  if (!loc) throw badInput(`${argument}: there is no location "${id}" (list them with the locations query)`, { argument });
  return loc;
}

@Resolver(() => LocationType)
export class LocationResolver {
  @Query(() => LocationPage, {
    nullable: true,
    description: 'Places that measure, in the upstream order, or nearest first when `near` is given. Filters combine (AND).',
  })
  async locations(
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('upstream', () => UpstreamEnum, { nullable: true, description: 'Only this upstream; all by default.' })
    upstream: UpstreamName | null,
    @Arg('search', () => String, {
      nullable: true,
      description: 'Part of the name (any language, accents and case ignored) or of the native ID.',
    })
    search: string | null,
    @Arg('near', () => NearInput, { nullable: true, description: 'Sort by distance from here, nearest first.' })
    near: NearInput | null,
    @Arg('withinKm', () => Float, { nullable: true, description: 'Only locations at most this far from `near`.' })
    withinKm: number | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 0 to 1000 (default 100).' })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: '`endCursor` of the previous page.' })
    after: string | null,
  ): Promise<LocationPage> {
    if (near) {
      if (!(Math.abs(near.latitude) <= 90)) throw badInput(`near.latitude must be from -90 to 90 (got ${near.latitude})`);
      if (!(Math.abs(near.longitude) <= 180)) throw badInput(`near.longitude must be from -180 to 180 (got ${near.longitude})`);
    }
    if (withinKm !== null && withinKm !== undefined) {
      if (!near) throw badInput('withinKm needs a `near` point to measure from');
      if (!(withinKm >= 0)) throw badInput(`withinKm must be zero or more (got ${withinKm})`);
    }
    let list: Location[] = await collect(ctx, info, ctx.registry.select(upstream), (a) => a.locations());
    const needle = search?.trim() ? fold(search.trim()) : null;
    if (needle) list = list.filter((loc) => matches(loc, needle));
    const distance = new Map<Location, number>();
    if (near) {
      for (const loc of list) if (loc.position !== null) distance.set(loc, haversineKm(near, loc.position));
      list = list
        .filter((loc) => distance.has(loc) && (withinKm === null || withinKm === undefined || distance.get(loc)! <= withinKm))
        .sort((a, b) => distance.get(a)! - distance.get(b)!);
    }
    const page = paginate(list, first, after);
    return { ...page, edges: page.nodes.map((node) => ({ node, distanceKm: distance.get(node) ?? null })) } as unknown as LocationPage;
  }

  @Query(() => LocationType, { nullable: true, description: 'One location by global ID, e.g. `meetnet:location:MP7`.' })
  location(@Ctx() ctx: GatewayContext, @Arg('id', () => ID) id: string): Promise<Location> {
    return findLocation(ctx, id, 'id');
  }

  @FieldResolver(() => String, { description: 'Name in the requested language (see `Language` for the fallback).' })
  name(@Root() loc: Location, @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language): string {
    return pickText(loc.name, language) ?? loc.nativeId;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Description as the upstream writes it (may hold HTML).' })
  description(@Root() loc: Location, @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language): string | null {
    return pickText(loc.description, language);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The description as plain text: no HTML tags or entities.' })
  descriptionText(
    @Root() loc: Location,
    @Arg('language', () => Language, { defaultValue: Language.EN }) language: Language,
  ): string | null {
    const html = pickText(loc.description, language);
    return html === null ? null : htmlToText(html) || null;
  }

  @FieldResolver(() => LocationType, {
    nullable: true,
    description: 'The location this one is part of (a building of a site, a charging station of a hub).',
  })
  parent(@Root() loc: Location, @Ctx() ctx: GatewayContext): Promise<Location | null> | null {
    return loc.parentId ? ctx.registry.get(loc.upstream).location(loc.parentId) : null;
  }

  @FieldResolver(() => [LocationType], { description: 'The locations that are part of this one.' })
  async children(@Root() loc: Location, @Ctx() ctx: GatewayContext): Promise<Location[]> {
    const all = await ctx.registry.get(loc.upstream).locations();
    return all.filter((l) => l.parentId === loc.id);
  }

  @FieldResolver(() => [SensorType], { description: 'The sensors at this location.' })
  async sensors(@Root() loc: Location, @Ctx() ctx: GatewayContext): Promise<Sensor[]> {
    const all = await ctx.registry.get(loc.upstream).sensors();
    return all.filter((s) => s.locationId === loc.id);
  }
}
