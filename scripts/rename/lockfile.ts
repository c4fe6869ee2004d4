/**
 * npm keeps a lockfile's `packages` in sorted order (`localeCompare` in the
 * `en` locale), so a renamed scope (`@stack/` → `@acme-shop/`) moves the
 * workspace links to another place. Sorted here as npm would, `npm install`
 * after the rename leaves the lockfile as the rename wrote it.
 */
export function sortLockfilePackages(text: string): string {
  const lock = JSON.parse(text) as { packages?: Record<string, unknown> };
  if (lock.packages === undefined) return text;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(lock.packages).sort((a, b) => a.localeCompare(b, 'en'))) {
    sorted[key] = lock.packages[key];
  }
  lock.packages = sorted;
  return `${JSON.stringify(lock, null, 2)}\n`;
}
