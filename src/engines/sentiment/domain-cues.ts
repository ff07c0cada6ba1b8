// Support-domain cues of frustration: phrases that general lexicons rate as neutral but that, in a
// ticket, say the customer is losing patience. Data only; matched on stems by the analyzer.

export interface DomainCue {
  /** Words of the phrase as written; the analyzer matches their stems, so "escalating" hits "escalate". */
  phrase: string;
  /** Own valence in [-1, 1], added at the phrase's first word (scaled by config domainCueWeight). */
  valence: number;
  /** How strongly it signals frustration: 1 a hint, 2 enough alone. */
  strength: number;
}

export const DOMAIN_CUES: readonly DomainCue[] = [
  { phrase: 'still not working', valence: -0.6, strength: 2 },
  { phrase: 'still not work', valence: -0.6, strength: 2 },
  { phrase: "still doesn't work", valence: -0.6, strength: 2 },
  { phrase: 'still doesnt work', valence: -0.6, strength: 2 },
  { phrase: "still isn't working", valence: -0.6, strength: 2 },
  { phrase: 'still broken', valence: -0.6, strength: 2 },
  { phrase: 'still waiting', valence: -0.4, strength: 2 },
  { phrase: 'still no', valence: -0.3, strength: 1 },
  { phrase: 'not working', valence: -0.4, strength: 1 },
  { phrase: "doesn't work", valence: -0.4, strength: 1 },
  { phrase: 'doesnt work', valence: -0.4, strength: 1 },
  { phrase: "didn't work", valence: -0.35, strength: 1 },
  { phrase: 'stopped working', valence: -0.45, strength: 1 },
  { phrase: 'again', valence: 0, strength: 1 },
  { phrase: 'second time', valence: -0.2, strength: 1 },
  { phrase: 'third time', valence: -0.4, strength: 2 },
  { phrase: 'fourth time', valence: -0.45, strength: 2 },
  { phrase: 'fifth time', valence: -0.5, strength: 2 },
  { phrase: 'nth time', valence: -0.5, strength: 2 },
  { phrase: 'multiple times', valence: -0.25, strength: 1 },
  { phrase: 'how many times', valence: -0.4, strength: 2 },
  { phrase: 'unacceptable', valence: -0.6, strength: 2 },
  { phrase: 'cancel', valence: -0.25, strength: 1 },
  { phrase: 'cancellation', valence: -0.25, strength: 1 },
  { phrase: 'refund', valence: -0.2, strength: 1 },
  { phrase: 'chargeback', valence: -0.5, strength: 2 },
  { phrase: 'escalate', valence: -0.35, strength: 2 },
  { phrase: 'escalation', valence: -0.35, strength: 2 },
  { phrase: 'lawyer', valence: -0.5, strength: 2 },
  { phrase: 'legal action', valence: -0.6, strength: 2 },
  { phrase: 'waste of time', valence: -0.6, strength: 2 },
  { phrase: 'fed up', valence: -0.6, strength: 2 },
  { phrase: 'sick of', valence: -0.5, strength: 2 },
  { phrase: 'no response', valence: -0.4, strength: 1 },
  { phrase: 'no reply', valence: -0.4, strength: 1 },
  { phrase: 'no one', valence: -0.2, strength: 1 },
  { phrase: 'nobody', valence: -0.2, strength: 1 },
  { phrase: 'switch provider', valence: -0.4, strength: 2 },
  { phrase: 'competitor', valence: -0.2, strength: 1 },
  { phrase: 'ridiculous', valence: -0.3, strength: 1 },
  { phrase: 'speak to a manager', valence: -0.4, strength: 2 },
  { phrase: 'your manager', valence: -0.3, strength: 1 },
  // AI-first support: asking for a person is giving up on the assistant
  { phrase: 'talk to a human', valence: -0.4, strength: 2 },
  { phrase: 'speak to a human', valence: -0.4, strength: 2 },
  { phrase: 'speak with a human', valence: -0.4, strength: 2 },
  { phrase: 'get me a human', valence: -0.5, strength: 2 },
  { phrase: 'need a human', valence: -0.4, strength: 2 },
  { phrase: 'real person', valence: -0.35, strength: 2 },
  { phrase: 'actual person', valence: -0.35, strength: 2 },
  { phrase: 'real human', valence: -0.35, strength: 2 },
  { phrase: 'not a bot', valence: -0.4, strength: 2 },
  { phrase: 'talk to someone', valence: -0.2, strength: 1 },
  { phrase: 'speak to someone', valence: -0.2, strength: 1 },
  { phrase: 'other vendors', valence: -0.3, strength: 1 },
];
