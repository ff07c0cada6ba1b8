import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, parseApiTokens } from '../src/config/load.js';
import { renderDefaultConfig } from '../src/config/document.js';

describe('config', () => {
  it('loads defaults with no file and no environment', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.server.port).toBe(8080);
    expect(cfg.store.mongoUri).toBe('');
  });

  it('takes MONGODB_URI and VIGIL_SECTION__KEY from the environment', () => {
    const cfg = loadConfig({ env: { MONGODB_URI: 'mongodb://127.0.0.1:1/x', VIGIL_PIPELINE__BATCH_SIZE: '77' } });
    expect(cfg.store.mongoUri).toBe('mongodb://127.0.0.1:1/x');
    expect(cfg.pipeline.batchSize).toBe(77);
  });

  it('names the key, the value and the reason for a wrong value', () => {
    expect(() => loadConfig({ env: { VIGIL_SERVER__PORT: '70000' } })).toThrowError(/^config: server\.port = 70000: .+/);
    try {
      loadConfig({ env: { VIGIL_SERVER__PORT: 'abc' } });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe('server.port');
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('refuses an evaluation period that does not divide a day', () => {
    expect(() => loadConfig({ env: { VIGIL_PIPELINE__EVALUATION_PERIOD_MS: '7000' } })).toThrowError(/^config: pipeline\.evaluationPeriodMs = 7000: must divide a day/);
    expect(loadConfig({ env: { VIGIL_PIPELINE__EVALUATION_PERIOD_MS: '600000' } }).pipeline.evaluationPeriodMs).toBe(600_000);
  });

  it('rejects an unknown key and an unknown VIGIL_ variable', () => {
    expect(() => loadConfig({ env: {}, overrides: { server: { prot: 1 } } })).toThrowError(/server\.prot = 1: unknown key/);
    expect(() => loadConfig({ env: { VIGIL_NOPE__X: '1' } })).toThrowError(/VIGIL_NOPE__X names no configuration key/);
  });

  it('hides secret values in errors', () => {
    expect(() => loadConfig({ env: { MONGODB_URI: '' }, overrides: { store: { mongoUri: 42 } } })).toThrowError(/store\.mongoUri = \(hidden\)/);
  });

  it('parses API tokens with scopes', () => {
    expect(parseApiTokens('aaaaaaaaaaaaaaaa:read,bbbbbbbbbbbbbbbb:read+write')).toEqual([
      { token: 'aaaaaaaaaaaaaaaa', scopes: ['read'] },
      { token: 'bbbbbbbbbbbbbbbb', scopes: ['read', 'write'] },
    ]);
  });

  it('config/default.yaml is the rendering of the schema, and loads back to the defaults', () => {
    const shipped = readFileSync(new URL('../config/default.yaml', import.meta.url), 'utf8');
    expect(shipped).toBe(renderDefaultConfig());
    const fromFile = loadConfig({ file: new URL('../config/default.yaml', import.meta.url).pathname, env: {} });
    expect(fromFile).toEqual(loadConfig({ env: {} }));
  });
});
