// The logs as an operator reads them: JSON lines (pino), the request id on every line written for a
// request (its upstream calls' too), taken from x-request-id or traceparent when the caller sends
// one and returned; LOG_LEVEL=debug shows each upstream call (route, outcome, time) and nothing secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, SecretRegistry } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const QUERY = '{ sensor(id: "meetnet:sensor:MP7WVC") { series(from: "2026-11-19T00:00:00Z", to: "2026-11-19T03:00:00Z") { count } } }';
const post = (headers: Record<string, string>) =>
  fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
const lines = (from: number) => app.logLines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request ids and upstream calls in the logs', () => {
  it('x-request-id: returned, and on the debug line of each upstream call the request made', async () => {
    const from = app.logLines.length;
    const res = await post({ 'x-request-id': 'dash-42' });
    expect(res.headers.get('x-request-id')).toBe('dash-42');
    const calls = lines(from).filter((l) => l.msg === 'upstream call' && l.route === 'getData');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ level: 'debug', requestId: 'dash-42', upstream: 'meetnet', method: 'POST', outcome: '200' });
    expect(typeof calls[0]!.ms).toBe('number');
    // Each line carries its own fields and the request's, none of the lines before it.
    for (const l of lines(from)) if (l.msg !== 'token provider: logged in') expect(l.ttlMs).toBeUndefined();
    expect(typeof calls[0]!.time).toBe('string');
  });

  it('answers refused before GraphQL carry a request id too', async () => {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-request-id': 'form-1' }, body: 'x' });
    expect(res.status).toBe(415);
    expect(res.headers.get('x-request-id')).toBe('form-1');
  });

  it('a W3C traceparent without x-request-id: its trace id names the request', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const from = app.logLines.length;
    const res = await post({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(res.headers.get('x-request-id')).toBe(traceId);
    const call = lines(from).find((l) => l.msg === 'upstream call');
    expect(call).toMatchObject({ requestId: traceId });
  });

  it('no secret in any line: not the service accounts, not the keys, not the tokens', () => {
    const secretsSeen = app.logLines.filter((l) => /password|mgw_|Bearer [A-Za-z0-9]/.test(l) && !l.includes('[REDACTED]'));
    expect(secretsSeen).toEqual([]);
  });
});

describe('the logger', () => {
  it('censors keys that hold secrets at any depth, and every registered secret in any form', () => {
    const out: string[] = [];
    const secrets = new SecretRegistry();
    secrets.add('s3cr3t/pässword');
    const logger = createLogger({ level: 'info', secrets, write: (l) => out.push(l) });
    logger.info('login', { request: { headers: { authorization: 'Bearer abc.def' }, form: { password: 'whatever' } } });
    logger.warn(`echoed: ${encodeURIComponent('s3cr3t/pässword')}`, { body: JSON.stringify({ p: 's3cr3t/pässword' }) });
    logger.debug('not at info');
    expect(out).toHaveLength(2);
    expect(out.join('\n')).not.toMatch(/abc\.def|whatever|s3cr3t|s3cr3t%2F|p%C3%A4ss/);
    expect(JSON.parse(out[0]!)).toMatchObject({
      level: 'info',
      msg: 'login',
      request: { headers: { authorization: '[REDACTED]' }, form: { password: '[REDACTED]' } },
    });
  });
});
