// Loads the configuration: schema defaults, then config/default.yaml or --config FILE, then the
// environment (MONGODB_URI, SLACK_BOT_TOKEN, VIGIL_API_TOKENS, VIGIL_SECTION__KEY=value).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type VigilConfig } from './schema.js';

/** A configuration that failed validation; the message is one line naming key, value and reason. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string, readonly key: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readYamlFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${path}: ${(err as Error).message}`, '');
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config: ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, '');
  }
  if (parsed == null) return {};
  if (!isObject(parsed)) throw new ConfigError(`config: ${path} must hold a mapping at the top level`, '');
  return parsed;
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]!] = value;
}

function parseEnvValue(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

/** Maps VIGIL_PIPELINE__BATCH_SIZE onto pipeline.batchSize by matching names without case or `_`. */
function envPath(name: string): string[] | null {
  const parts = name.slice('VIGIL_'.length).split('__');
  const path: string[] = [];
  let shape: z.ZodType | undefined = configSchema;
  for (const part of parts) {
    const obj = unwrapObject(shape);
    if (!obj) return null;
    const want = part.replace(/_/g, '').toLowerCase();
    const key = Object.keys(obj.shape).find((k) => k.toLowerCase() === want);
    if (!key) return null;
    path.push(key);
    shape = obj.shape[key] as z.ZodType;
  }
  return path;
}

function unwrapObject(t: z.ZodType | undefined): z.ZodObject | undefined {
  let cur: unknown = t;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof z.ZodObject) return cur;
    const def = (cur as { _zod?: { def?: { innerType?: unknown } } })._zod?.def;
    cur = def?.innerType;
  }
  return undefined;
}

export function parseApiTokens(raw: string): Array<{ token: string; scopes: Array<'read' | 'write'> }> {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      const token = at > 0 ? entry.slice(0, at) : entry;
      const scopes = (at > 0 ? entry.slice(at + 1) : 'read+write').split('+') as Array<'read' | 'write'>;
      return { token, scopes };
    });
}

export function applyEnv(raw: Json, env: NodeJS.ProcessEnv): Json {
  const out = structuredClone(raw);
  if (env.MONGODB_URI) setPath(out, ['store', 'mongoUri'], env.MONGODB_URI);
  if (env.SLACK_BOT_TOKEN) setPath(out, ['alerts', 'slack', 'token'], env.SLACK_BOT_TOKEN);
  if (env.VIGIL_API_TOKENS) setPath(out, ['server', 'tokens'], parseApiTokens(env.VIGIL_API_TOKENS));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('VIGIL_') || name === 'VIGIL_API_TOKENS' || name === 'VIGIL_CONFIG' || name === 'VIGIL_TOKEN' || value === undefined) continue;
    const path = envPath(name);
    if (!path) throw new ConfigError(`config: environment variable ${name} names no configuration key`, name);
    setPath(out, path, parseEnvValue(value));
  }
  return out;
}

function describeValue(raw: Json, path: PropertyKey[]): string {
  let node: unknown = raw;
  for (const key of path) node = isObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  const text = JSON.stringify(node);
  return text === undefined ? 'undefined' : text.length > 80 ? text.slice(0, 77) + '...' : text;
}

function isSecretKey(path: PropertyKey[]): boolean {
  return path.some((p) => /token|secret|password|uri/i.test(String(p)));
}

/** Validates a raw configuration object; throws ConfigError on the first problem. */
export function validateConfig(raw: Json): VigilConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let path = issue.path;
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    reason = 'unknown key';
  }
  const key = path.join('.') || '(root)';
  const value = isSecretKey(path) ? '(hidden)' : describeValue(raw, path);
  throw new ConfigError(`config: ${key} = ${value}: ${reason}`, key);
}

export interface LoadOptions {
  /** A YAML file to read; default: config/default.yaml when it exists, or defaults alone. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values applied last (tests, CLI flags). */
  overrides?: Json;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  return out;
}

export function loadConfig(opts: LoadOptions = {}): VigilConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.VIGIL_CONFIG;
  let raw: Json = file ? readYamlFile(file) : {};
  raw = applyEnv(raw, env);
  if (opts.overrides) raw = deepMerge(raw, opts.overrides);
  return validateConfig(raw);
}
