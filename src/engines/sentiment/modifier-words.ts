// Words that change the sentiment of their neighbours rather than carrying their own: negators,
// intensifiers, dampeners, and contrast markers. Data only; the analyzer decides what they do.

/** Flip the polarity of the next few words ("not good", "never again helpful"). */
export const NEGATORS: readonly string[] = [
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'without',
  'cannot', 'cant', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wont',
  'wouldnt', 'couldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'aint', 'mustnt', 'neednt',
  'hardly', 'barely', 'rarely', 'seldom',
];

/** Raise the weight of the next sentiment words. */
export const INTENSIFIERS: readonly string[] = [
  'very', 'really', 'so', 'extremely', 'absolutely', 'totally', 'completely', 'utterly', 'incredibly',
  'super', 'highly', 'deeply', 'truly', 'especially', 'exceptionally', 'remarkably', 'seriously',
  'awfully', 'terribly', 'insanely', 'ridiculously', 'hugely', 'immensely', 'entirely', 'fully',
  'thoroughly', 'way', 'most', 'more', 'too', 'such', 'quite', 'soo', 'sooo', 'soooo', 'damn',
  'freaking', 'fricking', 'fucking', 'effing', 'bloody', 'mega', 'uber', 'real', 'purely', 'majorly',
  'particularly', 'enormously', 'amazingly', 'unbelievably', 'exceedingly', 'excessively',
];

/** Lower the weight of the next sentiment words. */
export const DAMPENERS: readonly string[] = [
  'slightly', 'somewhat', 'kinda', 'kind', 'sorta', 'sort', 'fairly', 'rather', 'partly',
  'marginally', 'mildly', 'moderately', 'almost', 'nearly', 'little', 'bit', 'less', 'pretty',
  'occasionally', 'sometimes', 'scarcely', 'reasonably', 'relatively',
];

/** The clause before these is outweighed by the clause after ("good, but slow"). */
export const CONTRAST_MARKERS: readonly string[] = ['but', 'however', 'nevertheless', 'nonetheless', 'yet', 'except'];

/** These open a conceded clause that weighs less ("although it works, support was awful"). */
export const CONCESSIVE_MARKERS: readonly string[] = ['although', 'though', 'despite', 'whereas', 'albeit'];
