import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { checkMapping, FieldMappingError, mapSourceDocument, readPath, sourceIdString } from '../../../src/pipeline/sources/field-mapping.js';

describe('field mapping', () => {
  it('reads dotted paths through objects and array indexes, and nothing inherited', () => {
    const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, n: null };
    expect(readPath(doc, 'a.b.1.c')).toBe(2);
    expect(readPath(doc, 'a.b.x')).toBeUndefined();
    expect(readPath(doc, 'a.missing.c')).toBeUndefined();
    expect(readPath(doc, 'n.x')).toBeUndefined();
    expect(readPath(doc, 'toString')).toBeUndefined();
  });

  it('maps source names to event fields, with the source _id as the event id by default', () => {
    const _id = new ObjectId();
    const at = new Date('2026-05-01T10:00:00.000Z');
    const raw = mapSourceDocument(
      { _id, kind: 'ticket.message', ts: at, org: { id: 'acme' }, ticket: 991, body: 'Checkout fails with E42', type: 'ignored' },
      { type: 'kind', occurredAt: 'ts', accountId: 'org.id', ticketId: 'ticket', text: 'body' },
    );
    expect(raw).toEqual({
      id: _id.toHexString(),
      type: 'ticket.message',
      occurredAt: '2026-05-01T10:00:00.000Z',
      accountId: 'acme',
      ticketId: '991',
      text: 'Checkout fails with E42',
    });
  });

  it('uses a mapped id field instead of _id, and same-named fields when unmapped; leaves out null and missing', () => {
    const raw = mapSourceDocument(
      { _id: new ObjectId(), eventId: 'evt-7', type: 'ticket.csat', occurredAt: '2026-05-01T10:00:00Z', accountId: 'a1', ticketId: null, csat: 4, tags: ['x', 'y'] },
      { id: 'eventId' },
    );
    expect(raw).toEqual({ id: 'evt-7', type: 'ticket.csat', occurredAt: '2026-05-01T10:00:00Z', accountId: 'a1', csat: 4, tags: ['x', 'y'] });
    // A mapped id that the document lacks stays missing (the validator names it), it does not fall back to _id.
    expect(mapSourceDocument({ _id: 'doc-1', type: 'ticket.created' }, { id: 'eventId' }).id).toBeUndefined();
  });

  it('turns source _ids into text', () => {
    const oid = new ObjectId('65a1b2c3d4e5f60718293a4b');
    expect(sourceIdString(oid)).toBe('65a1b2c3d4e5f60718293a4b');
    expect(sourceIdString('abc')).toBe('abc');
    expect(sourceIdString(17)).toBe('17');
  });

  it('rejects unknown event fields and malformed source paths, naming the config key', () => {
    expect(() => checkMapping({ acountId: 'org_id' }, 'sources.mongo.mapping')).toThrowError(/sources\.mongo\.mapping\.acountId: "acountId" is not an event field/);
    expect(() => checkMapping({ accountId: 'org..id' })).toThrowError(FieldMappingError);
    expect(() => checkMapping({ accountId: '$where' })).toThrowError(/may not start with "\$"/);
    expect(() => checkMapping({ accountId: '' })).toThrowError(/non-empty/);
    expect(() => checkMapping({ accountId: 'org.id', occurredAt: 'ts' })).not.toThrow();
  });
});
