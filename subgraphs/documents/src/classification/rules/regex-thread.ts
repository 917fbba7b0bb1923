import { parentPort } from 'node:worker_threads';
import type { RegexRequest, RegexResult } from './regex-sandbox.ts';

// Runs topic regexes off the main thread, so a pattern that backtracks catastrophically
// can be stopped (the sandbox terminates this thread) without blocking the worker's event
// loop, which must keep renewing job locks.

const MAX_TERMS = 5;

function evaluate(source: string, flags: string, text: string): RegexResult {
  const pattern = new RegExp(source, `${flags}g`);
  const terms = new Set<string>();
  let matched = false;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    matched = true;
    const term = match[0].trim();
    if (term.length > 0) terms.add(term.slice(0, 100));
    if (terms.size >= MAX_TERMS) break;
    // An empty match would find itself again forever.
    if (match[0].length === 0) pattern.lastIndex++;
  }
  return { matched, terms: [...terms] };
}

parentPort?.on('message', (request: RegexRequest) => {
  // The budget starts now, not when the request was sent: a fresh thread takes a while to boot.
  parentPort?.postMessage({ id: request.id, started: true });
  request.patterns.forEach((item, index) => {
    let result: RegexResult;
    try {
      result = evaluate(item.source, item.flags, request.text);
    } catch (error) {
      result = { matched: false, terms: [], error: (error as Error).message };
    }
    parentPort?.postMessage({ id: request.id, index, result });
  });
});
