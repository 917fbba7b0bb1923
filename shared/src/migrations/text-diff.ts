/**
 * A unified-style line diff (`-` old, `+` new, two lines of context) for `repair` to show
 * what changed in a migration's checksummed text. Longest common subsequence on the part
 * between the common prefix and suffix; past a size cap, the whole middle is shown as replaced.
 */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  const ops: string[] =
    middleA.length * middleB.length > 4_000_000
      ? [...middleA.map((line) => `-${line}`), ...middleB.map((line) => `+${line}`)]
      : lcsOps(middleA, middleB);
  const head = a.slice(Math.max(0, start - context), start).map((line) => ` ${line}`);
  const tail = a.slice(endA, endA + context).map((line) => ` ${line}`);
  return [`@@ line ${start + 1} @@`, ...head, ...ops, ...tail].join('\n');
}

function lcsOps(a: string[], b: string[]): string[] {
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lengths[i]![j] =
        a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push(` ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lengths[i]![j + 1]! > lengths[i + 1]![j]!))
      ops.push(`+${b[j++]}`);
    else ops.push(`-${a[i++]}`);
  }
  return ops;
}
