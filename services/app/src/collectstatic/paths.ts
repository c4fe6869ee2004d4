import { join } from 'node:path';

/** `services/app`, found from this file so the paths hold from any working directory. */
const APP_ROOT = join(import.meta.dirname, '..', '..');

/** The sources a forker edits. */
export const STATIC_SOURCE_DIR = join(APP_ROOT, 'static');

/** Where the hashed set is built: at image build, and at start in development. Git-ignored. */
export const BUILT_SET_DIR = join(APP_ROOT, 'dist', 'static');
