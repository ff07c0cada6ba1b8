// Chooses and opens the configured store: MongoDB when a URI is set, else the embedded store
// (with a loud warning, since an embedded store forgets everything when the process ends).
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { Store } from './repository.js';
import { createMemoryStore } from './memory/memory-store.js';

export async function openStore(cfg: VigilConfig['store'], logger: Logger): Promise<Store> {
  if (!cfg.mongoUri) {
    logger.warn(
      { store: 'memory' },
      'no MongoDB URI configured (store.mongoUri / MONGODB_URI): using the embedded in-process store; NOTHING IS DURABLE, all events and state are lost when the process ends',
    );
    const store = createMemoryStore();
    await store.init();
    return store;
  }
  const { createMongoStore } = await import('./mongo/mongo-store.js');
  const store = createMongoStore(cfg, logger);
  await store.init();
  logger.info({ store: 'mongo', database: cfg.database }, 'connected to MongoDB store');
  return store;
}
