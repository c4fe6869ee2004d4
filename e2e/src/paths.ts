import { fileURLToPath } from 'node:url';

/** The repository root: where compose.yaml lives. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where a run keeps container logs and screenshots; CI uploads it when a run fails. */
export const ARTIFACTS =
  process.env.E2E_ARTIFACTS ?? fileURLToPath(new URL('../artifacts/', import.meta.url));
