// Phrase banks and composers for the scenario's ticket texts: customer messages in several tones
// carrying real-looking errors (status lines, stack heads, request ids), AI and agent replies.
import type { Rng } from './rng.js';

export type Tone = 'positive' | 'neutral' | 'negative' | 'angry';

const PRODUCTS = [
  'CSV export', 'webhook delivery', 'SSO login', 'Salesforce sync', 'billing page', 'API', 'dashboard',
  'Slack integration', 'invoice download', 'user provisioning', 'audit log', 'mobile app', 'bulk import',
  'report scheduler', 'search', 'SAML setup', 'data warehouse connector', 'email notifications',
];

const GREETINGS = ['Hi team,', 'Hello,', 'Hey there,', 'Hi support,', 'Good morning,', 'Hi all,', '', '', 'Hi,'];
const SIGNOFFS = ['Thanks', 'Thanks in advance', 'Cheers', 'Best', 'Regards', '', '', 'Thank you'];

const HOSTS = ['api.vigil-demo.io', 'sync-worker-3.internal', 'hooks.customer.example', 'gateway.eu-west-1'];
const FILES = ['routes/export', 'services/sync', 'lib/webhooks', 'handlers/billing', 'jobs/import'];
const PROPS = ['id', 'length', 'accountId', 'items', 'token'];
const FNS = ['handleExport', 'runSync', 'deliverWebhook', 'renderInvoice', 'processBatch'];
const JAVA = ['SyncJob', 'ExportService', 'WebhookDispatcher', 'InvoiceRenderer'];

/** A real-looking error as customers paste it; the variable parts vary every time. */
export function errorSnippet(rng: Rng): string {
  switch (rng.int(0, 6)) {
    case 0:
      return `Error ${rng.pick(['500', '502', '503', '504'])}: ${rng.pick(['upstream timed out', 'bad gateway', 'service unavailable', 'internal server error'])} (request id ${rng.hex(12)})`;
    case 1:
      return `TypeError: Cannot read properties of undefined (reading '${rng.pick(PROPS)}')\n    at ${rng.pick(FNS)} (/srv/app/${rng.pick(FILES)}.js:${rng.int(10, 400)}:${rng.int(5, 40)})`;
    case 2:
      return `HTTP/1.1 ${rng.pick(['429 Too Many Requests', '401 Unauthorized', '500 Internal Server Error', '503 Service Unavailable', '413 Payload Too Large'])}`;
    case 3:
      return `connect ECONNRESET ${rng.int(10, 250)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}:443 (${rng.pick(HOSTS)})`;
    case 4: {
      const cls = rng.pick(JAVA);
      return `java.lang.NullPointerException: null\n\tat com.vigildemo.${cls.toLowerCase()}.${cls}.run(${cls}.java:${rng.int(20, 900)})`;
    }
    case 5:
      return `{"error":"rate_limited","message":"Too many requests","retry_after":${rng.int(5, 120)}}`;
    default:
      return `ERROR ${rng.pick(['E1042', 'E2210', 'E3307'])} job ${rng.hex(8)} failed after ${rng.int(2, 9)} retries: timeout after ${rng.int(10, 60)}000 ms`;
  }
}

const OPENERS: Record<Tone, ReadonlyArray<(p: string) => string>> = {
  positive: [
    (p) => `quick question about the ${p}, how do we set it up for a second workspace?`,
    (p) => `we love the new ${p}! Could you point me to the docs for the advanced options?`,
    (p) => `the ${p} has been working great for us. One small thing: can we change the default timezone?`,
    (p) => `thanks for the help last week. We'd like to enable the ${p} for another team, what's the process?`,
  ],
  neutral: [
    (p) => `we're seeing an issue with the ${p}. Could you take a look?`,
    (p) => `how do I configure the ${p} to retry failed deliveries?`,
    (p) => `the ${p} shows an error for one of our users since yesterday.`,
    (p) => `can you confirm whether the ${p} supports custom fields? We get this when we try:`,
    (p) => `our admin is trying to set up the ${p} and gets an error.`,
  ],
  negative: [
    (p) => `the ${p} is failing again. This is the second time this week and it's slowing our team down.`,
    (p) => `still having problems with the ${p}. The workaround from last time doesn't work anymore, which is frustrating.`,
    (p) => `the ${p} broke again after the update. We keep losing time on this and nobody has explained why.`,
    (p) => `I'm disappointed, the ${p} issue is back and our customers are noticing.`,
    (p) => `this is getting really annoying. The ${p} fails every morning and we have to rerun it by hand.`,
  ],
  angry: [
    (p) => `this is unacceptable. The ${p} has been broken for days, we've reported it three times and nothing is fixed.`,
    (p) => `we are seriously evaluating other vendors. The ${p} keeps failing and your answers don't help at all.`,
    (p) => `our VP is asking why the ${p} is still broken. I need a real person and a real fix today, not another bot reply.`,
    (p) => `terrible experience again. The ${p} lost our data and the support bot keeps sending the same useless article.`,
    (p) => `I'm done repeating myself. The ${p} is still down and this is hurting our business badly.`,
  ],
};

const FOLLOWUPS: Record<Tone, readonly string[]> = {
  positive: ['Thanks, that did the trick!', 'Perfect, works now. Appreciate the quick help!', 'Great, thank you so much.', 'Got it, thanks, that solved it.'],
  neutral: ['Ok, I tried that. Here is what we see now:', 'Thanks. Is there anything else we should check?', 'Understood, we will try that and get back to you.', 'Here is the full error from the logs:'],
  negative: [
    'That did not help, same error as before:',
    'We already tried that twice. Still broken.',
    'This is taking far too long, can someone actually look at it?',
    'Still failing. Honestly this is frustrating.',
  ],
  angry: [
    'No. That is the same answer you gave yesterday. Get me a human.',
    'This is ridiculous, it is still broken and we are losing money.',
    'Useless. Please escalate this immediately.',
    'I have asked three times now. Escalate this to someone who can fix it.',
  ],
};

const TERSE_GREETINGS = ['', '', 'Hi,', 'Hello,'];
const TERSE_SIGNOFFS = ['', '', 'Regards', '-- sent from my phone'];

function compose(rng: Rng, body: string, tone: Tone = 'neutral'): string {
  // Upset customers skip the pleasantries.
  const terse = tone === 'angry' || (tone === 'negative' && rng.chance(0.6));
  const greet = rng.pick(terse ? TERSE_GREETINGS : GREETINGS);
  const sign = rng.pick(terse ? TERSE_SIGNOFFS : SIGNOFFS);
  return [greet, body, sign].filter((x) => x.length > 0).join(greet ? (rng.chance(0.5) ? '\n' : ' ') : ' ');
}

/** The first customer message of a ticket: an opener in the tone, often with a pasted error. */
export function customerOpening(rng: Rng, tone: Tone, withError: boolean): { text: string; product: string; error?: string } {
  const product = rng.pick(PRODUCTS);
  const opener = rng.pick(OPENERS[tone])(product);
  const body = opener.charAt(0).toUpperCase() + opener.slice(1);
  if (!withError) return { text: compose(rng, body, tone), product };
  const error = errorSnippet(rng);
  return { text: compose(rng, `${body}\n${error}`, tone), product, error };
}

/** A customer message from a known error (the shared spike), with the variable parts filled in. */
export function customerWithError(rng: Rng, tone: Tone, error: string): string {
  const product = rng.pick(PRODUCTS);
  const opener = rng.pick(OPENERS[tone])(product);
  return compose(rng, `${opener.charAt(0).toUpperCase() + opener.slice(1)}\n${error}`, tone);
}

export function customerFollowup(rng: Rng, tone: Tone): string {
  const line = rng.pick(FOLLOWUPS[tone]);
  return line.endsWith(':') ? `${line}\n${errorSnippet(rng)}` : line;
}

const AI_REPLIES = [
  'Thanks for reaching out! I can help with that. Could you share the request id and the time it happened?',
  'I understand this is blocking you. Please try signing out and back in, then retry the operation.',
  'Thanks for the details. This usually happens when the API token has expired; you can rotate it under Settings > API.',
  'I checked our status page and there is no known outage right now. Could you send a screenshot of the error?',
  'Here is a guide that covers this: https://help.vigil-demo.io/articles/troubleshooting. Let me know if it helps!',
  'I am sorry for the trouble. I have reset the sync for your workspace; please try again in a few minutes.',
];

const AGENT_REPLIES = [
  'Hi, this is {agent} from the support team. I have looked into the logs and found the cause; a fix is deployed for your workspace.',
  'Hello, {agent} here. Sorry for the back and forth. I reproduced the problem and our engineers are on it; I will update you within the day.',
  'Hi, {agent} from support. I have applied a configuration change on our side; could you confirm it works now?',
  'Thanks for your patience. {agent} here: the failing job was stuck on a bad record, which I removed. Everything should run again.',
];
const AGENTS = ['Sam', 'Priya', 'Jonas', 'Maria', 'Kenji', 'Aisha'];

export function aiReply(rng: Rng): string {
  return rng.pick(AI_REPLIES);
}

export function agentReply(rng: Rng): string {
  return rng.pick(AGENT_REPLIES).replace('{agent}', rng.pick(AGENTS));
}

/** The message that ends a souring account's story. */
export function finalMessage(rng: Rng, kind: 'churn' | 'escalation'): string {
  if (kind === 'churn') {
    return compose(
      rng,
      rng.pick([
        'We have decided not to renew our contract. The reliability problems over the last weeks were too much for our team.',
        'Please consider this our notice: we are moving to another provider at the end of the term.',
        'After the repeated outages we will be cancelling our subscription. Please advise on data export.',
      ]),
    );
  }
  return compose(
    rng,
    rng.pick([
      'I am escalating this to your leadership. We need an executive call this week about the repeated failures.',
      'Our CTO wants a meeting with your head of support about these incidents. This cannot continue.',
      'This has gone on long enough; I have copied our account executive and expect a formal incident report.',
    ]),
  );
}
