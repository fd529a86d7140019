// The request body, read up to a limit (MAX_BODY_BYTES): a larger one is refused as soon as it
// says so (Content-Length) or, chunked, as soon as it crosses the limit; nothing past the limit is
// kept. Node's http module has no such limit of its own, and a body parser library would bring a
// framework's request object for these thirty lines.
import type { IncomingMessage } from 'node:http';

/** The client went away (or its connection broke) while sending its body: nobody to answer. */
export class UploadAborted extends Error {
  constructor(cause?: unknown) {
    super('the client went away while sending its request', { cause });
    this.name = 'UploadAborted';
  }
}

export type Body = { kind: 'read'; text: string } | { kind: 'too-large' };

export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve({ kind: 'too-large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Stop here: the answer (413, connection closed) goes out without waiting for the rest.
      cleanup();
      req.pause();
      resolve({ kind: 'too-large' });
    };
    const onEnd = () => {
      cleanup();
      resolve({ kind: 'read', text: Buffer.concat(chunks).toString('utf8') });
    };
    const onGone = (err?: unknown) => {
      cleanup();
      reject(new UploadAborted(err));
    };
    const onClose = () => {
      if (!req.complete) onGone();
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onClose);
  });
}
