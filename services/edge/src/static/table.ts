/**
 * The in-memory table of the current hashed set: every manifest value and its
 * `.br`/`.gz` siblings, each with its body Buffer and its header blocks
 * computed once, so a hit costs a Map lookup and one write.
 *
 * Rebuilt when manifest.json changes: fs.watch on the root for promptness, a
 * periodic stat for volumes that deliver no inotify events (bind mounts from
 * another VM, NFS). A rebuild makes a whole new snapshot and swaps one
 * reference, so a request sees the old set or the new one, never half of each.
 * Bounded by `maxBytes` of bodies: resources beyond it stay on disk and are
 * served by the file-system path with the same headers.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { isHashedName, MANIFEST_FILE, parseManifest } from '@stack/shared/static-manifest';
import type { Logger } from 'pino';
import { resolveInside } from './files.ts';
import { chooseEncoding } from './negotiate.ts';
import {
  ENCODINGS,
  type Encoding,
  type Representation,
  representationOf,
  SIBLING_SUFFIX,
} from './representation.ts';
import { isServableRel, isUrlSafeName, STATIC_PREFIX } from './request-path.ts';

export interface MemoryRepresentation extends Representation {
  readonly body: Buffer;
  /** `headers` as the flat [name, value, …] list `res.writeHead` takes. */
  readonly rawHeaders: readonly string[];
  readonly rawNotModifiedHeaders: readonly string[];
}

export interface TableResource {
  readonly rel: string;
  readonly identity: MemoryRepresentation;
  readonly siblings: Readonly<Partial<Record<Encoding, MemoryRepresentation>>>;
  /** Keys of `siblings`, in ENCODINGS order: what negotiation chooses among. */
  readonly encodings: readonly Encoding[];
}

interface Snapshot {
  /** Keyed by the raw URL, for the fast path (only names whose URL is the name). */
  readonly byUrl: ReadonlyMap<string, TableResource>;
  readonly byRel: ReadonlyMap<string, TableResource>;
  readonly hashed: ReadonlySet<string>;
  readonly bytes: number;
}

const EMPTY: Snapshot = { byUrl: new Map(), byRel: new Map(), hashed: new Set(), bytes: 0 };

export interface TableOptions {
  readonly rootReal: string;
  readonly maxBytes: number;
  readonly pollMs: number;
  readonly log: Logger;
  /** false: rely on the poll alone, as on a volume with no inotify (tests prove that path). */
  readonly watch?: boolean;
}

export function selectRepresentation(
  resource: TableResource,
  acceptEncoding: string | undefined,
): MemoryRepresentation {
  const encoding = chooseEncoding(acceptEncoding, resource.encodings);
  return (encoding && resource.siblings[encoding]) || resource.identity;
}

function flat(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).flat();
}

export class StaticTable {
  readonly #options: TableOptions;
  #snapshot: Snapshot = EMPTY;
  /** The manifest.json identity last acted on, so an unchanged or broken one is not reread. */
  #signature = '';
  #reloading: Promise<void> | undefined;
  #again = false;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;

  constructor(options: TableOptions) {
    this.#options = options;
  }

  byUrl(url: string): TableResource | undefined {
    return this.#snapshot.byUrl.get(url);
  }

  byRel(rel: string): TableResource | undefined {
    return this.#snapshot.byRel.get(rel);
  }

  isHashed(rel: string): boolean {
    return this.#snapshot.hashed.has(rel) || isHashedName(rel);
  }

  get stats(): { resources: number; bytes: number } {
    return { resources: this.#snapshot.byRel.size, bytes: this.#snapshot.bytes };
  }

  /** Loads the current manifest, then follows its changes until close(). */
  async start(): Promise<void> {
    await this.reload();
    try {
      if (this.#options.watch === false) throw new Error('watching is off');
      this.#watcher = watch(this.#options.rootReal, { persistent: false }, (_event, name) => {
        if (name === MANIFEST_FILE) this.#soon();
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch {
      // No inotify here (or turned off): the poll below is the only signal.
    }
    this.#poll = setInterval(() => void this.reload(), this.#options.pollMs).unref();
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
    await this.#reloading;
  }

  #soon(): void {
    clearTimeout(this.#debounce);
    // An editor or `cp` may write in several events; one rebuild is enough.
    this.#debounce = setTimeout(() => void this.reload(), 20).unref();
  }

  /** Rebuilds when manifest.json changed; concurrent calls share one rebuild and rerun once. */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        await this.#rebuild();
      } while (this.#again);
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #rebuild(): Promise<void> {
    const { rootReal, log } = this.#options;
    const manifestPath = `${rootReal}${sep}${MANIFEST_FILE}`;
    let signature = 'absent';
    try {
      const s = await stat(manifestPath);
      signature = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {}
    if (signature === this.#signature) return;
    this.#signature = signature;
    if (signature === 'absent') {
      this.#snapshot = EMPTY;
      log.info({ manifest: manifestPath }, 'static table empty: no manifest');
      return;
    }
    try {
      const names = manifestNames(await readFile(manifestPath, 'utf8'), manifestPath);
      const { snapshot, skipped } = await this.#build(names);
      this.#snapshot = snapshot;
      log.info(
        { resources: snapshot.byRel.size, bytes: snapshot.bytes, onDisk: skipped },
        'static table loaded',
      );
    } catch (error) {
      // Keep serving the previous set: a bad manifest must not empty the site.
      log.warn(
        { err: error, manifest: manifestPath },
        'manifest unreadable, or a file it names; keeping the previous table',
      );
    }
  }

  async #build(names: readonly string[]): Promise<{ snapshot: Snapshot; skipped: number }> {
    const { rootReal, maxBytes } = this.#options;
    const byUrl = new Map<string, TableResource>();
    const byRel = new Map<string, TableResource>();
    let bytes = 0;
    let skipped = 0;
    for (const rel of names) {
      if (byRel.has(rel)) continue;
      const resource = await loadResource(rootReal, rel, maxBytes - bytes);
      if (resource === 'missing') continue;
      if (resource === 'too-big') {
        skipped++;
        continue;
      }
      bytes += resource.bytes;
      byRel.set(rel, resource.resource);
      if (isUrlSafeName(rel)) byUrl.set(STATIC_PREFIX + rel, resource.resource);
    }
    return { snapshot: { byUrl, byRel, hashed: new Set(names), bytes }, skipped };
  }
}

/** The hashed names of a collectstatic manifest; throws the contract's one-line error on anything else. */
export function manifestNames(text: string, source: string): string[] {
  const { files } = parseManifest(text, source);
  // The contract already refuses ../ and dotfiles; the request-path rule is kept as the last word.
  return Object.values(files).filter(isServableRel);
}

async function loadFile(
  rootReal: string,
  rel: string,
  served: string,
  encoding: Encoding | undefined,
  budget: number,
): Promise<MemoryRepresentation | 'missing' | 'too-big'> {
  const real = await resolveInside(rootReal, served);
  if (real === undefined) return 'missing';
  let handle: FileHandle;
  try {
    handle = await open(real, 'r');
  } catch {
    return 'missing';
  }
  try {
    const facts = await handle.stat();
    if (!facts.isFile()) return 'missing';
    if (facts.size > budget) return 'too-big';
    const body = await handle.readFile();
    // Sizes from the bytes actually read, should the file change meanwhile.
    const rep = representationOf({
      rel,
      stat: { size: body.length, mtimeMs: facts.mtimeMs },
      encoding,
      immutable: true,
    });
    return {
      ...rep,
      body,
      rawHeaders: flat(rep.headers),
      rawNotModifiedHeaders: flat(rep.notModifiedHeaders),
    };
  } finally {
    await handle.close();
  }
}

async function loadResource(
  rootReal: string,
  rel: string,
  budget: number,
): Promise<{ resource: TableResource; bytes: number } | 'missing' | 'too-big'> {
  const identity = await loadFile(rootReal, rel, rel, undefined, budget);
  if (typeof identity === 'string') return identity;
  let bytes = identity.size;
  const siblings: Partial<Record<Encoding, MemoryRepresentation>> = {};
  const encodings: Encoding[] = [];
  for (const encoding of ENCODINGS) {
    const sibling = await loadFile(
      rootReal,
      rel,
      rel + SIBLING_SUFFIX[encoding],
      encoding,
      budget - bytes,
    );
    if (sibling === 'too-big') return 'too-big';
    if (sibling === 'missing') continue;
    siblings[encoding] = sibling;
    encodings.push(encoding);
    bytes += sibling.size;
  }
  return { resource: { rel, identity, siblings, encodings }, bytes };
}
