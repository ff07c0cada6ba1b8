# Scores one text per stdin line with vaderSentiment; prints the compound per line, and on stderr
# the seconds spent scoring (without interpreter start-up). Used by bench/sentiment/run.ts.
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

analyzer = SentimentIntensityAnalyzer()
lines = sys.stdin.buffer.read().decode('utf-8', 'replace').split('\n')
if lines and lines[-1] == '':
    lines.pop()
t0 = time.perf_counter()
out = [repr(analyzer.polarity_scores(line)['compound']) for line in lines]
elapsed = time.perf_counter() - t0
sys.stdout.write('\n'.join(out) + ('\n' if out else ''))
sys.stderr.write('scoring_seconds %f\n' % elapsed)
