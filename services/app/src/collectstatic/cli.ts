/**
 * collectstatic: copies the hashed asset set into DIR (the `static` volume the
 * edge serves), or builds the set. See README.md beside this file.
 *
 *   collectstatic --out DIR [--keep N] [--from SET_DIR | --source STATIC_DIR]
 *   collectstatic build [--out DIR] [--source STATIC_DIR]
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildStatic } from './app.ts';
import { collect, DEFAULT_KEEP } from './collect.ts';
import { CollectstaticError, oneLine } from './errors.ts';
import { MANIFEST_FILE } from './manifest.ts';
import { BUILT_SET_DIR, STATIC_SOURCE_DIR } from './paths.ts';
import { buildSet, readSet, type StaticSet } from './set.ts';

const USAGE =
  'usage: collectstatic --out DIR [--keep N] [--from SET_DIR | --source STATIC_DIR] | collectstatic build [--out DIR] [--source STATIC_DIR]';

// `npm run -w @stack/app` runs scripts in services/app; INIT_CWD is where the
// user typed the command, which is what a relative path they give means.
const baseDir = process.env.INIT_CWD ?? process.cwd();
const fromUser = (path: string) => resolve(baseDir, path);
const shown = (path: string) => {
  const near = relative(process.cwd(), path);
  return near === '' ? '.' : near.startsWith('..') ? path : near;
};

function parse() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        keep: { type: 'string' },
        from: { type: 'string' },
        source: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CollectstaticError(`${oneLine((error as Error).message)}; ${USAGE}`);
  }
}

/** The set to copy: `--from`/`--source` if given, else the image's built set if there is one, else built from the sources. */
async function chooseSet(
  from?: string,
  source?: string,
): Promise<{ set: StaticSet; origin: string }> {
  if (from !== undefined && source !== undefined) {
    throw new CollectstaticError(`give --from or --source, not both; ${USAGE}`);
  }
  if (from !== undefined) return { set: await readSet(fromUser(from)), origin: `set ${from}` };
  if (source === undefined && existsSync(join(BUILT_SET_DIR, MANIFEST_FILE))) {
    return { set: await readSet(BUILT_SET_DIR), origin: `built set ${shown(BUILT_SET_DIR)}` };
  }
  const dir = source === undefined ? STATIC_SOURCE_DIR : fromUser(source);
  return { set: await buildSet(dir), origin: `built from ${shown(dir)}` };
}

function parseKeep(text: string | undefined): number {
  if (text === undefined) return DEFAULT_KEEP;
  if (!/^\d{1,3}$/.test(text))
    throw new CollectstaticError(`--keep must be a whole number: ${text}`);
  return Number(text);
}

async function main(): Promise<string> {
  const { values, positionals } = parse();
  if (values.help) return USAGE;
  const [command, ...rest] = positionals;
  if (rest.length > 0 || (command !== undefined && command !== 'build')) {
    throw new CollectstaticError(`unexpected argument ${JSON.stringify(command)}; ${USAGE}`);
  }
  if (command === 'build') {
    if (values.from !== undefined || values.keep !== undefined) {
      throw new CollectstaticError(`build takes --out and --source only; ${USAGE}`);
    }
    const out = values.out === undefined ? BUILT_SET_DIR : fromUser(values.out);
    const source = values.source === undefined ? STATIC_SOURCE_DIR : fromUser(values.source);
    const { manifest, summary: s } = await buildStatic(source, out);
    return `collectstatic: built set ${s.setId} (${Object.keys(manifest.files).length} assets) from ${shown(source)} into ${shown(out)}: ${s.copied} written, ${s.unchanged} unchanged, ${s.pruned} pruned`;
  }
  if (values.out === undefined) throw new CollectstaticError(`--out DIR is required; ${USAGE}`);
  const keep = parseKeep(values.keep);
  const { set, origin } = await chooseSet(values.from, values.source);
  const out = fromUser(values.out);
  const s = await collect(set, out, { keep });
  return `collectstatic: set ${s.setId} (${origin}) into ${shown(out)}: ${s.copied} copied, ${s.unchanged} unchanged, ${s.kept} kept from up to ${keep} previous sets, ${s.pruned} pruned, manifest ${s.manifestChanged ? 'replaced' : 'unchanged'}`;
}

try {
  console.log(await main());
} catch (error) {
  // Expected failures are one line by construction; anything else is
  // squeezed to one too, since this runs as a one-shot whose log is read by
  // people deploying, not debugging collectstatic.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`collectstatic: ${oneLine(message)}`);
  process.exitCode = 1;
}
