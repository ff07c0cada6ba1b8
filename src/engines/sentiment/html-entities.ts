// Decodes the few HTML character references that text copied out of web pages and feeds carries
// ("&lt;3" is the heart emoticon "<3", "&gt;:(" an angry face), so the scanner reads what was typed.

const ENTITY = /&(?:amp|lt|gt|quot|apos|nbsp|#39|#x27);/g;
const ENTITY_AT = /&(?:amp|lt|gt|quot|apos|nbsp|#39|#x27);/y;
const DECODED: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&nbsp;': ' ', '&#39;': "'", '&#x27;': "'" };

/** The text with its common named and numeric HTML references decoded; the same string when it has no "&". */
export function decodeHtmlEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (m) => DECODED[m] ?? m);
}

/** Whether one of the references decodeHtmlEntities decodes starts at text[i] (the scanner asks at each "&"). */
export function htmlEntityAt(text: string, i: number): boolean {
  ENTITY_AT.lastIndex = i;
  return ENTITY_AT.test(text);
}
