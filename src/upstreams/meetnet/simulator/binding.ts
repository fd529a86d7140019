// How the simulated Meetnet API reads request bodies, as ASP.NET Web API binds them, and its 400 and 415 answers.
import type { SimRequest } from '../../../simulators/index.js';

/** Json.NET binds property names case-insensitively (§5.1: surfbot sends `Ids`). */
export function field(body: unknown, name: string): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const rec = body as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(rec)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The `IDs` of a JSON or form body: an array, a single string (form, §6.1), or the ASP.NET
 * form spellings `IDs[]=` / `IDs[0]=`. Returns null when the body has no IDs at all.
 */
export function idsOf(req: SimRequest): string[] | null {
  const body = req.body;
  if (req.bodyKind === 'form' && body && typeof body === 'object') {
    const out: string[] = [];
    let found = false;
    for (const [k, v] of Object.entries(body as Record<string, string | string[]>)) {
      if (!/^ids(\[\d*\])?$/i.test(k)) continue;
      found = true;
      out.push(...(Array.isArray(v) ? v : [v]));
    }
    return found ? out : null;
  }
  const v = field(body, 'IDs');
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * Web API has no formatter for other media types: 415 instead of binding the body (inferred from
 * ASP.NET Web API 2, §1). Returns null when the body can be read.
 */
export function unsupportedMediaType(req: SimRequest, model: string): { status: number; body: unknown } | null {
  if (req.bodyKind !== 'text') return null;
  const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
  return {
    status: 415,
    body: {
      Message: `The request entity's media type '${type}' is not supported for this resource.`,
      ExceptionMessage: `No MediaTypeFormatter is available to read an object of type '${model}' from content with media type '${type}'.`,
    },
  };
}

/** A 400 in Web API's error shape: `{"Message": …}` and any detail. */
export function badRequest(message: string, extra: Record<string, unknown> = {}): { status: number; body: unknown } {
  return { status: 400, body: { Message: message, ...extra } };
}
