/**
 * The settings machinery both services' config.ts share: pick a service's
 * settings out of the environment, validate them against a JSON schema, and
 * turn the first bad one into a {@link ConfigError} whose message is the
 * single line an entry point prints before exiting 1 (the root README, "Contracts between the containers").
 * The schema is plain JSON schema (a TypeBox schema is one too), so the edge
 * can skip TypeBox's memory (services/edge/README.md).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseAddressList } from './trusted-proxies.ts';

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

export function invalid(setting: string, reason: string): ConfigError {
  return new ConfigError(setting, `invalid setting ${setting}: ${reason}`);
}

export function missing(setting: string, reason: string): ConfigError {
  return new ConfigError(setting, `missing setting ${setting}: ${reason}`);
}

/**
 * An object schema whose every property carries `description`, worded to
 * follow "must be", so an error names the setting and what it accepts
 * whatever ajv keyword failed.
 */
export interface SettingsSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, object>>;
  readonly required?: readonly string[];
}

// Settings with a `default` may be listed in `required`: useDefaults fills
// them in before `required` is checked.
const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false });

/**
 * Compiles `schema` once and returns the function that reads the settings it
 * names from an environment. Empty values count as unset, so `PORT=` in a
 * compose file means "the default", not "port zero".
 */
export function settingsReader<Settings>(
  schema: SettingsSchema,
): (env: NodeJS.ProcessEnv) => Settings {
  const validate = ajv.compile<Settings>(schema);
  const names = Object.keys(schema.properties);
  return (env) => {
    const input: Record<string, unknown> = {};
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value !== '') input[name] = value;
    }
    if (!validate(input)) {
      const [error] = validate.errors ?? [];
      const name = error?.instancePath.slice(1) ?? '';
      throw invalid(name || 'unknown', `must be ${describe(schema, name)}`);
    }
    return input;
  };
}

function describe(schema: SettingsSchema, name: string): string {
  const property: object | undefined = schema.properties[name];
  return property && 'description' in property && typeof property.description === 'string'
    ? property.description
    : 'valid';
}

/**
 * A secret given as `NAME`, or as `NAME_FILE` naming a file that holds it
 * (Docker and Kubernetes secrets), never both.
 */
export function readSecret<Name extends string>(
  settings: Partial<Record<Name | `${Name}_FILE`, string>>,
  name: Name,
): string | undefined {
  const fileSetting = `${name}_FILE` as const;
  const path = settings[fileSetting];
  if (path === undefined) return settings[name];
  if (settings[name] !== undefined) {
    throw invalid(fileSetting, `set either ${name} or ${fileSetting}, not both`);
  }
  try {
    // A trailing newline is an editor's, not part of the secret.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw invalid(fileSetting, `cannot read ${path} (${code})`);
  }
}

/**
 * The committed development secrets (docker/dev-secrets/) start with this,
 * so a service can tell one from a real secret without knowing its value.
 */
export const PLACEHOLDER_SECRET_PREFIX = 'dev-only-';

/**
 * Throws when `value` is a committed placeholder and the service is not in an
 * explicit development mode (the root README, "Settings"): a stack deployed with the
 * public password stops at start with one line instead of running with it.
 * The message shows the prefix, never the value.
 */
export function refusePlaceholderSecret(
  setting: string,
  value: string | undefined,
  { allowed, howToAllow }: { allowed: boolean; howToAllow: string },
): void {
  if (allowed || !value?.startsWith(PLACEHOLDER_SECRET_PREFIX)) return;
  throw invalid(
    setting,
    `is a committed development placeholder ("${PLACEHOLDER_SECRET_PREFIX}..."): use a secret of your own, or ${howToAllow}`,
  );
}

/** For entry points: the settings, or the one line naming the bad one and exit 1. */
export function loadOrExit<Settings>(load: () => Settings): Settings {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * An address-list setting (`@stack/shared`'s trusted-proxies.ts grammar): the
 * entries as written, or the one line naming the setting and the bad entry.
 */
export function addressListSetting(setting: string, value: string): readonly string[] {
  try {
    return parseAddressList(value);
  } catch (error) {
    throw invalid(setting, (error as Error).message);
  }
}
