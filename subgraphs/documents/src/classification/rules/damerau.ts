/**
 * Optimal-string-alignment distance (Damerau-Levenshtein where an adjacent transposition
 * costs 1, as typists make them), giving up as soon as it must exceed `max`: most pairs
 * of words are far apart and cost only a row or two. Answers `max + 1` for "too far".
 * Written here rather than taken from fastest-levenshtein, which counts a transposition
 * as two edits and has no cut-off.
 */
export function boundedDamerau(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let previous2 = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, previous2[j - 2]! + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [previous2, previous, current] = [previous, current, previous2];
  }
  return Math.min(previous[n]!, max + 1);
}

/**
 * Typos tolerated in a word of this length: none in short words (where one edit makes
 * another word: "tax"/"tab"), one in words of 4–7 letters, two from 8 letters on.
 */
export function allowedTypos(length: number): number {
  if (length <= 3) return 0;
  return length <= 7 ? 1 : 2;
}
