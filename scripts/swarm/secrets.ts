/**
 * Refuses to render a stack that would run on the committed development
 * password (docker/dev-secrets/) unless ALLOW_DEV_SECRETS=true says the swarm
 * is a throwaway. The app refuses it too (APP_ALLOW_DEV_SECRETS), but only
 * once its tasks start and crash-loop; here the deploy never begins.
 */
import { readFileSync } from 'node:fs';
import { PLACEHOLDER_SECRET_PREFIX } from '@stack/shared';

type Doc = Record<string, unknown>;

const isRecord = (value: unknown): value is Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The top-level secrets whose file holds a placeholder, as `name (path)`. */
export function placeholderSecrets(
  merged: Doc,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string[] {
  const secrets = isRecord(merged.secrets) ? merged.secrets : {};
  return Object.entries(secrets).flatMap(([name, secret]) => {
    const file = isRecord(secret) && typeof secret.file === 'string' ? secret.file : undefined;
    if (file === undefined) return [];
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new Error(`secret ${name}: cannot read ${file} (${code})`);
    }
    return text.startsWith(PLACEHOLDER_SECRET_PREFIX) ? [`${name} (${file})`] : [];
  });
}

/** Throws one line when a placeholder would be deployed without the allowance. */
export function assertNoPlaceholderSecrets(merged: Doc, allowed: boolean): void {
  const found = placeholderSecrets(merged);
  if (found.length === 0 || allowed) return;
  throw new Error(
    `secret ${found.join(', ')} is a committed development placeholder: set DB_PASSWORD_FILE to a file of your own, or ALLOW_DEV_SECRETS=true for a throwaway swarm`,
  );
}
