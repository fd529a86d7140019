// Response compression for whole bodies: GraphQL answers and GraphiQL's assets. Hand-written
// rather than the `compression` middleware: that one wraps every response's write, end and
// headers to compress streams, which cost 0.25 ms of CPU per request even for a client that asked
// for no encoding (a third of a small cached query); here a body is compressed once, whole,
// off the main thread (zlib's async API), and only when it is worth it. Streamed answers
// (incremental delivery) are sent as they come.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Negotiator from 'negotiator';

/** Below this, headers and framing cost more than compression saves. */
const MIN_BYTES = 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

type Encoding = 'br' | 'gzip';

/**
 * Brotli at quality 4 packs JSON about as well as gzip's default at a fraction of brotli's
 * default (11) CPU: answers are made per request, not once for a static site.
 */
function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'br')
    return brotli(body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    });
  return gzip(body);
}

/** The encoding the client prefers among those the gateway makes, or none. */
export function negotiateEncoding(req: IncomingMessage): Encoding | null {
  if (!req.headers['accept-encoding']) return null;
  // Where the client likes several equally (browsers and curl send `gzip, deflate, br`), br: it
  // packs the same answer smaller. @types/negotiator lacks the `preferred` option of negotiator 1.
  const negotiator = new Negotiator(req) as Negotiator & { encoding(available: string[], o: { preferred: string[] }): string | undefined };
  const chosen = negotiator.encoding(['br', 'gzip', 'identity'], { preferred: ['br', 'gzip', 'identity'] });
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

/**
 * Ends `res` with `body`, compressed when the client accepts it and the body is large enough.
 * Headers already set on `res` (status, content type) are kept.
 */
export function endCompressed(req: IncomingMessage, res: ServerResponse, body: string | Buffer): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return send(req, res, bytes, (encoding) => compress(bytes, encoding));
}

/** A fixed body (an asset) compressed once per encoding, then served from memory. */
export class PrecompressedBody {
  private readonly packed = new Map<Encoding, Promise<Buffer>>();
  private readonly bytes: Buffer;

  constructor(body: string | Buffer) {
    this.bytes = typeof body === 'string' ? Buffer.from(body) : body;
  }

  send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return send(req, res, this.bytes, (encoding) => {
      let packed = this.packed.get(encoding);
      if (!packed) {
        packed = compress(this.bytes, encoding);
        this.packed.set(encoding, packed);
      }
      return packed;
    });
  }
}

async function send(req: IncomingMessage, res: ServerResponse, bytes: Buffer, pack: (e: Encoding) => Promise<Buffer>): Promise<void> {
  const worthIt = bytes.length >= MIN_BYTES;
  // The answer depends on accept-encoding whenever it could have been compressed.
  if (worthIt) res.setHeader('vary', 'accept-encoding');
  const encoding = worthIt ? negotiateEncoding(req) : null;
  if (!encoding) {
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return;
  }
  const packed = await pack(encoding);
  if (res.destroyed) return;
  res.setHeader('content-encoding', encoding);
  res.setHeader('content-length', packed.length);
  res.end(packed);
}
