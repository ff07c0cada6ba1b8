// Cluster identity: a stable 64-bit hash of a template's text, so two workers fed the same
// stream name the same cluster the same way, with no coordination.

/** 16 hex digits from two independent 32-bit multiply-xorshift lanes over the UTF-16 code units. */
export function templateId(template: string): string {
  let h1 = 0xdeadbeef ^ template.length;
  let h2 = 0x41c6ce57 ^ template.length;
  for (let i = 0; i < template.length; i++) {
    const ch = template.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
