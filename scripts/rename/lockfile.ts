const DEPENDENCY_MAPS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

type Entry = Partial<Record<(typeof DEPENDENCY_MAPS)[number], Record<string, string>>>;

function sortedByKey<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b, 'en')));
}

/**
 * npm keeps a lockfile's `packages`, and each entry's dependency maps, in
 * sorted order (`localeCompare` in the `en` locale), so a renamed scope
 * (`@stack/` → `@acme-shop/`) moves the workspace links and the dependencies
 * on them. Sorted here as npm would, `npm install` after the rename leaves
 * the lockfile as the rename wrote it.
 */
export function sortLockfilePackages(text: string): string {
  const lock = JSON.parse(text) as { packages?: Record<string, Entry> };
  if (lock.packages === undefined) return text;
  for (const entry of Object.values(lock.packages)) {
    for (const field of DEPENDENCY_MAPS) {
      const map = entry[field];
      if (map !== undefined) entry[field] = sortedByKey(map);
    }
  }
  lock.packages = sortedByKey(lock.packages);
  return `${JSON.stringify(lock, null, 2)}\n`;
}
