// Renders the configuration schema as a commented YAML file: every key, its default, its reason.
// `vigil config-doc > config/default.yaml` writes the shipped file; a test checks it is current.
import { z } from 'zod';
import { stringify } from 'yaml';
import { configSchema } from './schema.js';

interface JsonSchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
}

function renderScalar(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow' }).trimEnd();
}

function render(node: JsonSchemaNode, indent: string, lines: string[], inherited?: Record<string, unknown>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    // an object's own default (e.g. a section that presets some keys) wins over its keys' defaults
    const preset = inherited && key in inherited ? inherited[key] : undefined;
    if (child.description) for (const l of child.description.split('\n')) lines.push(`${indent}# ${l}`);
    if (child.type === 'object' && child.properties && Object.keys(child.properties).length > 0) {
      lines.push(`${indent}${key}:`);
      const own = (preset ?? child.default) as Record<string, unknown> | undefined;
      render(child, indent + '  ', lines, own && typeof own === 'object' ? own : undefined);
    } else {
      const value = preset !== undefined ? preset : child.default === undefined ? null : child.default;
      const text = renderScalar(value);
      if (text.includes('\n')) {
        lines.push(`${indent}${key}:`);
        for (const l of text.split('\n')) lines.push(`${indent}  ${l}`);
      } else lines.push(`${indent}${key}: ${text}`);
    }
  }
}

export function renderDefaultConfig(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const lines = [
    '# Vigil configuration: every key, its default and the reason for it.',
    '# Generated from src/config/schema.ts by `vigil config-doc`; edit the schema, not this file.',
    '# Override with --config FILE, or per key with VIGIL_SECTION__KEY=value (e.g. VIGIL_SERVER__PORT=9000).',
    '# Secrets come from the environment only: MONGODB_URI, SLACK_BOT_TOKEN, VIGIL_API_TOKENS.',
    '',
  ];
  render(schema, '', lines);
  return lines.join('\n') + '\n';
}
