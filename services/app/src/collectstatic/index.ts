export { buildStatic, type StaticManifestOptions, staticManifest } from './app.ts';
export {
  type CollectOptions,
  type CollectSummary,
  collect,
  DEFAULT_KEEP,
  setId,
} from './collect.ts';
export { COMPRESSIBLE_EXTENSIONS, contentHash } from './compress.ts';
export { CollectstaticError } from './errors.ts';
export { STATE_DIR } from './files.ts';
export {
  assetUrl,
  hashedName,
  loadManifest,
  MANIFEST_FILE,
  type Manifest,
  parseManifest,
  serializeManifest,
} from './manifest.ts';
export { BUILT_SET_DIR, STATIC_SOURCE_DIR } from './paths.ts';
export { buildSet, readSet, type StaticSet } from './set.ts';
