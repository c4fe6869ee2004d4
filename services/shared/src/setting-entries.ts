/**
 * One entry per setting, in practica's config.ts style (env, format,
 * default, doc): a service lists its settings once, and its typed values,
 * the JSON schema `settingsReader` validates against, the defaults and the
 * README's table (settings-table.ts) all come from that list.
 *
 * The formats build plain JSON schema, not TypeBox: the edge loads this
 * file in every process, and TypeBox costs it 20 MiB RSS per worker
 * (services/edge/README.md, "What each choice cost or bought"). This file
 * imports only settings.ts, so `@stack/shared/setting-entries` stays as
 * light as `@stack/shared/settings`.
 */
import { type SettingsSchema, settingsReader } from './settings.ts';

/**
 * What a setting accepts: the schema property ajv checks (its
 * `description` follows "must be" in the error line) and the type the
 * checked value has.
 */

/** pino's levels: both services' LOG_LEVEL settings accept these. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export interface Format<T> {
  readonly schema: { readonly description: string } & Readonly<Record<string, unknown>>;
  /** What the README adds in parentheses after a default of this format (`64 MiB`). */
  readonly gloss?: (value: T) => string | undefined;
  /** Never set: carries `T` for the type checker. */
  readonly valueType?: T;
}

/** A default the code works out at start; `label` is what the README says instead of a value. */
export interface Computed<T, Always extends boolean> {
  readonly label: string;
  /** `undefined`: loadConfig's own code computes it (from other settings). */
  readonly compute: Always extends true ? () => T : undefined;
}

export function computed<T>(label: string, compute: () => T): Computed<T, true>;
export function computed(label: string): Computed<never, false>;
export function computed<T>(label: string, compute?: () => T): Computed<T, boolean> {
  return { label, compute } as Computed<T, boolean>;
}

export interface Setting<T, Always extends boolean = boolean> {
  /** The environment variable. */
  readonly env: string;
  readonly format: Format<T>;
  /** A value, a {@link computed} default, or none (the setting is optional). */
  readonly default: T | Computed<T, Always> | undefined;
  /** One line for people: what the setting does (the README's last column). */
  readonly doc: string;
  /** Never set: whether a read always yields a value. */
  readonly always?: Always;
}

interface EntryWithDefault<T> {
  readonly env: string;
  readonly format: Format<T>;
  readonly default: NoInfer<T> | Computed<NoInfer<T>, true>;
  readonly doc: string;
}

interface EntryWithoutDefault<T> {
  readonly env: string;
  readonly format: Format<T>;
  readonly default?: Computed<NoInfer<T>, false>;
  readonly doc: string;
}

/** An entry, checked: the default has the format's type. */
export function setting<T>(entry: EntryWithDefault<T>): Setting<T, true>;
export function setting<T>(entry: EntryWithoutDefault<T>): Setting<T, false>;
export function setting<T>(entry: EntryWithDefault<T> | EntryWithoutDefault<T>): Setting<T> {
  return { ...entry, default: entry.default };
}

// biome-ignore lint/suspicious/noExplicitAny: any entry, whatever its value type.
export type Entries = Readonly<Record<string, Setting<any>>>;

/** The value a read yields: the format's type, `| undefined` when it has no default. */
export type ValueOf<S> =
  S extends Setting<infer T, infer Always> ? (Always extends true ? T : T | undefined) : never;

export type Values<E extends Entries> = { -readonly [K in keyof E]: ValueOf<E[K]> };

export function isComputed(value: unknown): value is Computed<unknown, boolean> {
  return typeof value === 'object' && value !== null && 'label' in value && 'compute' in value;
}

/** The JSON schema of `entries`, by environment variable. */
export function schemaOf(entries: Entries): SettingsSchema {
  const properties: Record<string, object> = {};
  for (const entry of Object.values(entries)) properties[entry.env] = entry.format.schema;
  return { type: 'object', properties };
}

/**
 * Compiles the schema once and returns the function that reads `entries`
 * from an environment: each value checked (the first bad one throws
 * `settingsReader`'s one line), keyed as the entries are, defaults filled.
 */
export function entriesReader<E extends Entries>(
  entries: E,
): (env: NodeJS.ProcessEnv) => Values<E> {
  const read = settingsReader<Record<string, unknown>>(schemaOf(entries));
  return (env) => {
    const raw = read(env);
    const values: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(entries)) {
      const fallback = entry.default;
      values[key] = raw[entry.env] ?? (isComputed(fallback) ? fallback.compute?.() : fallback);
    }
    return values as Values<E>;
  };
}

/** `an integer 0-65535`, with `note` in parentheses after it. */
export function integer(minimum: number, maximum: number, note?: string): Format<number> {
  const description = `an integer ${minimum}-${maximum}${note ? ` (${note})` : ''}`;
  return { schema: { type: 'integer', minimum, maximum, description } };
}

export function milliseconds(minimum: number, maximum: number, note?: string): Format<number> {
  return integer(minimum, maximum, note ? `milliseconds; ${note}` : 'milliseconds');
}

/** Bytes; the README shows a default of whole KiB, MiB or GiB in those too. */
export function bytes(minimum: number, maximum: number, note?: string): Format<number> {
  return { ...integer(minimum, maximum, note ? `bytes; ${note}` : 'bytes'), gloss: binaryUnits };
}

function binaryUnits(value: number): string | undefined {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (value >= size && value % size === 0) return `${value / size} ${unit}`;
  }
  return undefined;
}

export function boolean(): Format<boolean> {
  return { schema: { type: 'boolean', description: 'true or false' } };
}

/** A string; `constraints` are JSON schema keywords (`minLength`, `pattern`). */
export function text(
  description: string,
  constraints: Readonly<Record<string, unknown>> = {},
): Format<string> {
  return { schema: { type: 'string', ...constraints, description } };
}

/** One of `values`: `one of a, b, c` unless `description` words it otherwise. */
export function oneOf<const Value extends string>(
  values: readonly Value[],
  description = `one of ${values.join(', ')}`,
): Format<Value> {
  return { schema: { enum: values, description } };
}
