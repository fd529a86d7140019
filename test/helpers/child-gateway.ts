// A gateway in a process of its own, as `npm start` runs it: the bundle (built once per test file)
// or the sources through tsx. Ready when its banner says where it listens; a gateway that exits
// instead fails the start with what it wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';
import { bundleOptions } from '../../scripts/build.js';
import { upstreamModules } from '../../src/upstreams/modules.js';

const root = new URL('../..', import.meta.url).pathname;

export interface ChildGateway {
  child: ChildProcess;
  url: string;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Builds the bundle into node_modules/.cache/<name> (inside the repository, so that it finds the packages as dist/ does); resolves its entry and a cleanup. */
export async function buildBundle(name: string): Promise<{ main: string; remove: () => Promise<void> }> {
  const outdir = `${root}node_modules/.cache/${name}/`;
  await build({ ...bundleOptions, outdir, logLevel: 'silent' });
  return { main: `${outdir}main.js`, remove: () => rm(outdir, { recursive: true, force: true }) };
}

/** The test process's environment without any gateway setting: the child starts from defaults. */
export function cleanEnv(): Record<string, string> {
  const prefixes = ['REDIS', ...upstreamModules.map((m) => m.envPrefix)];
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !prefixes.some((p) => e[0].startsWith(`${p}_`))),
  );
}

/** Starts `node [nodeArgs] <main>` (`main`: a bundle's entry, or 'tsx' for src/main.ts). */
export function startChildGateway(main: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildGateway> {
  return new Promise((resolve, reject) => {
    const entry = main === 'tsx' ? ['--import', 'tsx', 'src/main.ts'] : [main];
    const child = spawn(process.execPath, [...nodeArgs, ...entry], {
      cwd: root,
      env: { PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // The banner is written at once; its Clients line comes after the URL.
      const m = /ready at (http:\/\/\S+\/graphql)[\s\S]*Clients:.*\n/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}:\n${out}`)));
  });
}
