// The score distribution: ten bars (scores 0-9 ... 90-100) shaded from red to green, with counts.
// Plain HTML bars: ten elements need no chart library and print crisply at any size.
import { h } from '../dom.js';
import { int } from '../format.js';

/** Bucket colours run from the critical red through amber to the healthy green. */
const BUCKET_HUES = [4, 10, 18, 26, 34, 42, 60, 90, 125, 145];

export function scoreHistogram(counts: number[], onBucket?: (lo: number, hi: number) => void): HTMLElement {
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const bars = counts.map((count, i) => {
    const lo = i * 10;
    const hi = i === counts.length - 1 ? 100 : lo + 9;
    const pct = (count / max) * 100;
    const bar = h(
      'div',
      { class: 'hist-col', title: `${int(count)} accounts with score ${lo}–${hi}` },
      h('div', { class: 'hist-count' }, count ? int(count) : ''),
      h(
        'div',
        { class: 'hist-track' },
        h('div', { class: count ? 'hist-bar nonzero' : 'hist-bar', style: `height:${pct.toFixed(1)}%;background:hsl(${BUCKET_HUES[i] ?? 120} 52% 48%)` }),
      ),
      h('div', { class: 'hist-label' }, `${lo}`),
    );
    if (onBucket) {
      bar.classList.add('clickable');
      bar.addEventListener('click', () => onBucket(lo, hi));
    }
    return bar;
  });
  return h(
    'div',
    { class: 'histogram', role: 'img', 'aria-label': `Score distribution of ${int(total)} accounts` },
    ...bars,
  );
}
