// Reads the MongoDB driver's command log (MONGODB_LOG_COMMAND=debug on the daemon's stdout) and
// sums the database round trips per collection and command kind: where FerretDB's time goes.
import { closeSync, openSync, readSync } from 'node:fs';

/** The environment that makes the driver log every command to stdout, each started/succeeded pair with its duration. */
export const OP_LOG_ENV: Record<string, string> = {
  MONGODB_LOG_COMMAND: 'debug',
  MONGODB_LOG_PATH: 'stdout',
  // long enough to see a filter's shape ($in, conditions), short enough to keep the log small
  MONGODB_LOG_MAX_DOCUMENT_LENGTH: '400',
};

export interface OpRow {
  collection: string;
  kind: string;
  ops: number;
  /** Statements in them (documents inserted, updates or deletes of a bulk). */
  statements: number;
  ms: number;
}

/** What a command does, in a few words: the command name and the shape of its filter. */
function kindOf(name: string, cmd: string): string {
  const has = (s: string) => cmd.includes(s);
  switch (name) {
    case 'update': {
      const q = /"q":(\{[^}]*\})/.exec(cmd)?.[1] ?? '';
      const cond = /^\{"_id":"[^"]*"\}$/.test(q) ? ' by _id' : q.includes('"_id":"') ? ' by _id+cond' : ' filter';
      const how = has('"upsert":true') ? ' upsert' : '';
      return `update${cond}${has('"u":{"$') ? '' : ' replace'}${how}`;
    }
    case 'delete':
      return has('"$in"') ? 'delete $in' : /"q":\{"_id":"[^"]*"\}/.test(cmd) ? 'delete by _id' : 'delete filter';
    case 'find':
      return /"filter":\{"_id":"[^"]*"\}/.test(cmd) ? 'find by _id' : has('"$in"') ? 'find $in' : has('"filter":{}') ? 'find all' : 'find filter';
    default:
      return name;
  }
}

/** Statements in a write command, counted in its (possibly truncated) logged text. */
function statementsOf(name: string, cmd: string): number {
  const key = name === 'insert' ? /"_id":/g : name === 'update' || name === 'delete' ? /"q":/g : null;
  if (!key) return 1;
  return Math.max(1, (cmd.match(key) ?? []).length);
}

/** Sums the log from byte `from` to its end, per collection and kind, the costliest first. */
export function summarizeOpLog(path: string, from: number): OpRow[] {
  const fd = openSync(path, 'r');
  const chunks: Buffer[] = [];
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let pos = from; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  const started = new Map<string, { collection: string; kind: string; statements: number }>();
  const rows = new Map<string, OpRow>();
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (!line.startsWith("{ t: ") || !line.includes("c: 'command'")) continue;
    const name = /commandName: '([^']+)'/.exec(line)?.[1];
    const key = `${/driverConnectionId: (\d+)/.exec(line)?.[1]}/${/requestId: (\d+)/.exec(line)?.[1]}`;
    if (!name) continue;
    if (line.includes("message: 'Command started'")) {
      const cmd = /command: '(.*)' \}$/.exec(line)?.[1] ?? '';
      const collection = new RegExp(`^\\{"${name}":"([^"]+)"`).exec(cmd)?.[1] ?? '-';
      started.set(key, { collection, kind: kindOf(name, cmd), statements: statementsOf(name, cmd) });
      continue;
    }
    const s = started.get(key);
    if (!s) continue;
    started.delete(key);
    const ms = Number(/durationMS: ([\d.]+)/.exec(line)?.[1] ?? 0);
    const id = `${s.collection}\t${s.kind}`;
    const row = rows.get(id) ?? { collection: s.collection, kind: s.kind, ops: 0, statements: 0, ms: 0 };
    row.ops++;
    row.statements += s.statements;
    row.ms += ms;
    rows.set(id, row);
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}
