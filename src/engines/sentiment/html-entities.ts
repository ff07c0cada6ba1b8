// Decodes the few HTML character references that text copied out of web pages and feeds carries
// ("&lt;3" is the heart emoticon "<3", "&gt;:(" an angry face), so the scanner reads what was typed.

const ENTITY = /&(?:amp|lt|gt|quot|apos|nbsp|#39|#x27);/g;
const DECODED: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&nbsp;': ' ', '&#39;': "'", '&#x27;': "'" };

/** The text with its common named and numeric HTML references decoded; the same string when it has no "&". */
export function decodeHtmlEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (m) => DECODED[m] ?? m);
}
