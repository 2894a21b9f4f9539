/**
 * A string cut from a longer one (a path out of a log line) may share the
 * longer one's memory: V8 keeps the whole line alive for as long as the piece
 * is kept. What outlives a batch — the strings held sessions keep
 * (processor/batch/string-table.ts) and their visitors' keys — is copied out first, or
 * each open session keeps one or two raw lines alive (~300 bytes each;
 * bench/memory.ts). V8 cuts pieces this way only from 13 characters on.
 */
export const ownString = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));
