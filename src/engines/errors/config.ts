// Configuration of the error engine: extraction bounds, masks and the template miner's limits.
// Composed in src/config/schema.ts; every default carries the reason it was chosen.
import { z } from 'zod';

export const maskSpec = z.strictObject({
  name: z.string().min(1).describe('Name of the mask (for documentation and tests).'),
  pattern: z.string().min(1).describe('JavaScript regular expression (no flags) matching a variable part.'),
  requires: z
    .array(z.string().min(1))
    .optional()
    .describe('Literals of which a message must contain one for the mask to apply (a speed hint; omit to always apply).'),
});

export const errorsConfig = z
  .strictObject({
    maxInputChars: z
      .number().int().min(1).default(100_000)
      .describe('Characters of a ticket text scanned for errors; the rest is ignored so a pasted 1 MB log costs bounded work (matches server.maxTextChars).'),
    maxErrorsPerText: z
      .number().int().min(1).default(8)
      .describe('Most error messages taken from one text; a pasted log would otherwise flood the clusters with one ticket.'),
    maxMessageChars: z
      .number().int().min(16).default(512)
      .describe('An extracted or mined message is cut to this length; the identity of an error is in its head, and long tails cost time.'),
    minMessageChars: z
      .number().int().min(1).default(6)
      .describe('Shorter candidate lines are not errors worth clustering ("error", "failed!").'),
    stackFrames: z
      .number().int().min(0).default(1)
      .describe('Frames of a stack trace kept after the exception line; the first frame tells bugs apart, deeper ones mostly add noise.'),
    extraMasks: z
      .array(maskSpec)
      .default([])
      .describe('Masks applied before the built-in ones (site-specific ids, e.g. order numbers), as {name, pattern}.'),
    maxTokens: z
      .number().int().min(4).default(64)
      .describe('Tokens of a message considered by the miner; later tokens are dropped so one pathological line cannot blow up work or memory.'),
    similarity: z
      .number().min(0).max(1).default(0.8)
      .describe('Share of a template\'s fixed words a message must repeat to join it (the rest become <*>); 0.8 (stricter than Drain\'s 0.5 because masks already remove most variables) was tuned on the 8 Loghub-2k development systems.'),
    maxClusters: z
      .number().int().min(1).default(100_000)
      .describe('Cap on live clusters; beyond it the least recently seen cluster is evicted. 100k Loghub-like templates measured about 150 MB of heap: far more error kinds than a support platform has, in bounded memory.'),
    maxKeysPerCluster: z
      .number().int().min(1).default(16)
      .describe('Exact variants remembered per cluster for each fast path (masked texts, digit shapes); more variants still match, through the slower similarity scan. Bounds memory per cluster.'),
    maxCandidates: z
      .number().int().min(1).default(256)
      .describe('Most clusters compared on the slow path for one message (same length and first word); bounds the work of a novel message.'),
    maxAliases: z
      .number().int().min(0).default(100_000)
      .describe('Merged-away cluster ids kept resolvable; the oldest alias is forgotten beyond this.'),
  })
  .prefault({});
export type ErrorsConfig = z.infer<typeof errorsConfig>;
export type MaskSpec = z.infer<typeof maskSpec>;
