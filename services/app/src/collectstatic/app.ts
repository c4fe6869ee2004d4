import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type CollectSummary, collect } from './collect.ts';
import { CollectstaticError } from './errors.ts';
import { loadManifest, MANIFEST_FILE, type Manifest } from './manifest.ts';
import { BUILT_SET_DIR, STATIC_SOURCE_DIR } from './paths.ts';
import { buildSet } from './set.ts';

/**
 * Builds the hashed set from the sources into `outDir` (by default
 * `services/app/dist/static`): what the image build runs, and what the app
 * runs at start in development. Written like `collect` (files first, manifest
 * last, under the lock), keeping no older set: the image carries one set.
 */
export async function buildStatic(
  sourceDir: string = STATIC_SOURCE_DIR,
  outDir: string = BUILT_SET_DIR,
): Promise<{ manifest: Manifest; summary: CollectSummary }> {
  const set = await buildSet(sourceDir);
  const summary = await collect(set, outDir, { keep: 0 });
  return { manifest: set.manifest, summary };
}

export interface StaticManifestOptions {
  /** Build the set from the sources first (development); otherwise use the set baked into the image. */
  build: boolean;
  sourceDir?: string;
  setDir?: string;
}

/**
 * The manifest the app renders pages with. In production it is the one baked
 * into the image, so the HTML names exactly the files the collectstatic
 * one-shot copies from the same image into the volume.
 */
export async function staticManifest(options: StaticManifestOptions): Promise<Manifest> {
  const setDir = options.setDir ?? BUILT_SET_DIR;
  if (options.build) return (await buildStatic(options.sourceDir, setDir)).manifest;
  if (!existsSync(join(setDir, MANIFEST_FILE))) {
    throw new CollectstaticError(
      `${join(setDir, MANIFEST_FILE)}: no built static set; run "npm run collectstatic -w @stack/app -- build" (the image build does)`,
    );
  }
  return loadManifest(setDir);
}
