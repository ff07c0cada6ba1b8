import { describe, it, expect } from 'vitest';
import { decodeHtmlEntities, htmlEntityAt } from '../../../src/engines/sentiment/html-entities.js';

describe('decodeHtmlEntities', () => {
  it('decodes the common named and numeric references', () => {
    expect(decodeHtmlEntities('I &lt;3 it &amp; you &gt;:( &quot;ok&quot; don&#39;t it&apos;s a&nbsp;b x&#x27;y')).toBe('I <3 it & you >:( "ok" don\'t it\'s a b x\'y');
  });

  it('decodes once: an escaped reference stays a reference', () => {
    expect(decodeHtmlEntities('&amp;lt;3')).toBe('&lt;3');
  });

  it('leaves unknown references, bare ampersands and text without "&" unchanged', () => {
    expect(decodeHtmlEntities('R&D &foo; AT&T &lt')).toBe('R&D &foo; AT&T &lt');
    const plain = 'no references here';
    expect(decodeHtmlEntities(plain)).toBe(plain);
  });

  it('htmlEntityAt finds exactly the references decodeHtmlEntities decodes, at the given position', () => {
    expect(htmlEntityAt('I &lt;3', 2)).toBe(true);
    expect(htmlEntityAt('I &lt;3', 0)).toBe(false);
    expect(htmlEntityAt('R&D &foo;', 1)).toBe(false);
    expect(htmlEntityAt('a &amp b', 2)).toBe(false);
    for (const t of ['&amp;', '&quot;', '&#39;', '&#x27;', '&nbsp;', '&apos;', '&gt;']) expect(htmlEntityAt(`x${t}`, 1)).toBe(decodeHtmlEntities(t) !== t);
  });
});
