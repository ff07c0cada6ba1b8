// The intake path alone (HTTP server, validation, event log; no pipeline), as a process of its
// own for bench/ingest/run.ts; prints "listening on <url>" on stderr once it accepts requests.
process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { Registry } = await import('prom-client');
const { loadConfig } = await import('../../src/config/load.js');
const { buildServer } = await import('../../src/api/server.js');
const { EventLog } = await import('../../src/events/event-log.js');
const { openStore } = await import('../../src/store/open-store.js');
const { createLogger } = await import('../../src/logging.js');

const config = loadConfig({ overrides: { server: { port: 0 } } });
const logger = createLogger(config.log);
const store = await openStore(config.store, logger);
const app = buildServer({ config, store, logger, registry: new Registry(), eventLog: new EventLog(store) });
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
process.stderr.write(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}\n`);
const stop = () => {
  void app.close().then(() => store.close());
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
