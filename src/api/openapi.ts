// The OpenAPI 3.1 description of Vigil's HTTP API, served at /docs/openapi.json.
// Kept as one table of routes so the document and the route list cannot drift far apart.

interface RouteDoc {
  method: 'get' | 'post' | 'put';
  path: string;
  summary: string;
  scope: 'read' | 'write' | null;
  params?: string[];
  query?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  body?: Record<string, unknown>;
  responses: Record<string, string>;
}

const BAND = { type: 'string', enum: ['healthy', 'watch', 'at-risk', 'critical'] };

export const ROUTES: RouteDoc[] = [
  {
    method: 'post', path: '/v1/events', summary: 'Submit a batch of ticket events (array). Good events are stored even when others are rejected.', scope: 'write',
    body: { type: 'array', items: { $ref: '#/components/schemas/Event' } },
    responses: { '202': 'Counts of accepted, duplicate and rejected events, with an error per rejected item (index, field, reason).', '400': 'Body is not a JSON array.', '413': 'Body or batch over the configured limit.', '503': 'Store unavailable; retry after Retry-After seconds.' },
  },
  { method: 'put', path: '/v1/accounts/{id}', summary: 'Create or update an account (name, tier, ARR, renewal, owner).', scope: 'write', params: ['id'], body: { $ref: '#/components/schemas/Account' }, responses: { '200': 'The stored account.', '400': 'A field is invalid (named in the message).' } },
  { method: 'get', path: '/v1/accounts/{id}/health', summary: 'Health score of one account with its components, reasons and 90-day history.', scope: 'read', params: ['id'], responses: { '200': 'Account health.', '404': 'No events seen for this account yet.' } },
  {
    method: 'get', path: '/v1/health', summary: 'Accounts by band or score, paginated.', scope: 'read',
    query: [
      { name: 'band', description: 'Only this band.', schema: BAND },
      { name: 'tier', description: 'Only this tier.', schema: { type: 'string', enum: ['enterprise', 'growth', 'starter'] } },
      { name: 'sort', description: 'score, -score, priority or -priority (default).', schema: { type: 'string' } },
      { name: 'limit', description: '1..500, default 50.', schema: { type: 'integer' } },
      { name: 'offset', description: 'Default 0.', schema: { type: 'integer' } },
    ],
    responses: { '200': 'total, offset, limit and items with sparklines.', '400': 'A query parameter is invalid.' },
  },
  { method: 'get', path: '/v1/overview', summary: 'Accounts per band, score distribution, incidents, outreach counts, escalation metrics.', scope: 'read', responses: { '200': 'Overview.' } },
  { method: 'get', path: '/v1/outreach', summary: 'The proactive outreach list, ranked by priority (open entries unless status is given).', scope: 'read', query: [{ name: 'status', description: 'new, contacted, resolved or dismissed.', schema: { type: 'string' } }], responses: { '200': 'Entries.' } },
  {
    method: 'post', path: '/v1/outreach/{id}/outcome', summary: 'Record what happened with an outreach entry; outcomes train the health learner.', scope: 'write', params: ['id'],
    body: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['contacted', 'resolved', 'dismissed'] }, outcome: { type: 'string', enum: ['saved', 'churned', 'false_alarm'] }, note: { type: 'string', maxLength: 2000 } } },
    responses: { '200': 'The updated entry.', '400': 'A field is invalid.', '404': 'Unknown entry.' },
  },
  { method: 'get', path: '/v1/incidents', summary: 'Cross-account error incidents, newest first.', scope: 'read', query: [{ name: 'status', description: 'open or resolved.', schema: { type: 'string' } }], responses: { '200': 'Incidents.' } },
  { method: 'get', path: '/v1/incidents/{id}', summary: 'One incident with timeline, rate series against baseline, affected accounts and redacted samples.', scope: 'read', params: ['id'], responses: { '200': 'Incident.', '404': 'Unknown incident.' } },
  { method: 'get', path: '/v1/clusters', summary: 'Error-message clusters (templates) by count.', scope: 'read', query: [{ name: 'limit', description: '1..1000, default 100.', schema: { type: 'integer' } }], responses: { '200': 'Clusters.' } },
  { method: 'get', path: '/v1/alerts', summary: 'The alert outbox: delivery status per alert (failures with their error) and counts per status.', scope: 'read', query: [{ name: 'status', description: 'pending, sending, sent, failed, held, released, suppressed or superseded.', schema: { type: 'string' } }, { name: 'limit', description: '1..500, default 100.', schema: { type: 'integer' } }], responses: { '200': 'Alerts and counts.' } },
  { method: 'get', path: '/v1/escalation', summary: 'Escalation metrics overall, per category and per account.', scope: 'read', responses: { '200': 'Metrics.' } },
  { method: 'get', path: '/healthz', summary: 'Liveness.', scope: null, responses: { '200': 'Alive.' } },
  { method: 'get', path: '/readyz', summary: 'Readiness: the store answers.', scope: null, responses: { '200': 'Ready.', '503': 'Store unavailable.' } },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics.', scope: null, responses: { '200': 'Metrics in the Prometheus text format.' } },
];

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const parameters = [
      ...(r.params ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(r.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
    ];
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      ...(r.scope ? { security: [{ bearer: [r.scope] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      responses: Object.fromEntries(Object.entries(r.responses).map(([code, description]) => [code, { description }])),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil', version, description: 'Error-spike incidents and account health from the support-ticket stream.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Tokens with read and/or write scope (VIGIL_API_TOKENS).' } },
      schemas: {
        Event: {
          type: 'object',
          required: ['id', 'type', 'occurredAt', 'accountId'],
          properties: {
            id: { type: 'string' },
            type: { type: 'string', enum: ['ticket.created', 'ticket.message', 'ticket.escalated', 'ticket.resolved', 'ticket.reopened', 'ticket.csat', 'error.reported'] },
            occurredAt: { type: 'string', format: 'date-time' },
            accountId: { type: 'string' },
            ticketId: { type: 'string', description: 'Required except for error.reported.' },
            author: { type: 'string', enum: ['customer', 'ai', 'agent'] },
            text: { type: 'string' },
            error: { type: 'string' },
            csat: { type: 'integer', minimum: 1, maximum: 5 },
            category: { type: 'string' },
            channel: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        Account: {
          type: 'object',
          required: ['name', 'tier'],
          properties: {
            name: { type: 'string' },
            tier: { type: 'string', enum: ['enterprise', 'growth', 'starter'] },
            arr: { type: 'number' },
            renewalDate: { type: 'string', format: 'date' },
            churnRisk: { type: 'boolean' },
            owner: { type: 'object', properties: { name: { type: 'string' }, slackUserId: { type: 'string' } } },
          },
        },
      },
    },
    paths,
  };
}
