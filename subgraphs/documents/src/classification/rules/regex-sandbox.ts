import { Worker } from 'node:worker_threads';

/**
 * REGEX topics see at most this many characters (the title and the start of the text):
 * with the per-pattern time budget it bounds what a pathological pattern can cost.
 */
export const REGEX_INPUT_LIMIT = 100_000;

export interface RegexPattern {
  source: string;
  /** '' or 'i'; 'u' and 'g' are added. */
  flags: string;
}

export interface RegexResult {
  matched: boolean;
  /** Up to five distinct matched strings. */
  terms: string[];
  /** Why the pattern did not run (invalid, or over its time budget). */
  error?: string;
}

export interface RegexRequest {
  id: number;
  text: string;
  patterns: { source: string; flags: string }[];
}

/** The thread acknowledges a request (its clock starts), then answers each pattern in order. */
type ThreadMessage = { id: number; started: true } | { id: number; index: number; result: RegexResult };

interface Running {
  request: RegexRequest;
  results: RegexResult[];
  timer: NodeJS.Timeout | undefined;
  resolve: (results: RegexResult[]) => void;
  reject: (error: unknown) => void;
}

const THREAD = new URL('./regex-thread.ts', import.meta.url);

/**
 * Evaluates a document's regex topics in a worker thread, each pattern under a time
 * budget. A pattern over budget counts as no match (its result says so) and the thread
 * is replaced, since a running regex cannot be interrupted in place. One document at a
 * time: callers queue behind each other.
 */
export class RegexSandbox {
  private thread: Worker | undefined;
  private running: Running | undefined;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly budgetMs: number;

  constructor(budgetMs: number) {
    this.budgetMs = budgetMs;
  }

  evaluate(text: string, patterns: readonly RegexPattern[]): Promise<RegexResult[]> {
    if (patterns.length === 0) return Promise.resolve([]);
    const input = text.slice(0, REGEX_INPUT_LIMIT);
    const next = this.chain.then(() =>
      this.run(
        input,
        patterns.map((p) => ({ source: p.source, flags: `${p.flags}u` })),
      ),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private run(text: string, patterns: RegexRequest['patterns']): Promise<RegexResult[]> {
    return new Promise((resolve, reject) => {
      const request = { id: this.nextId++, text, patterns };
      this.running = { request, results: [], timer: undefined, resolve, reject };
      this.send(request);
    });
  }

  private send(request: RegexRequest): void {
    if (!this.running) return;
    this.ensureThread().postMessage(request);
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(THREAD);
    thread.unref();
    thread.on('message', (message: ThreadMessage) => this.received(message));
    thread.on('error', (error) => this.crashed(thread, error));
    this.thread = thread;
    return thread;
  }

  private received(message: ThreadMessage): void {
    const running = this.running;
    if (!running || running.request.id !== message.id) return;
    clearTimeout(running.timer);
    if ('result' in message) running.results[message.index] = message.result;
    // The thread answers in order, so a full array means every pattern has answered.
    if (running.results.length === running.request.patterns.length) {
      this.running = undefined;
      running.resolve(running.results);
      return;
    }
    running.timer = setTimeout(() => this.overBudget(), this.budgetMs);
  }

  /** The pattern in flight took too long: record it, replace the thread, go on with the rest. */
  private overBudget(): void {
    const running = this.running;
    if (!running) return;
    const index = running.results.length;
    running.results[index] = { matched: false, terms: [], error: `took longer than ${this.budgetMs} ms` };
    void this.thread?.terminate();
    this.thread = undefined;
    const rest = running.request.patterns.slice(index + 1);
    if (rest.length === 0) {
      this.running = undefined;
      running.resolve(running.results);
      return;
    }
    // Results keep their positions: the remaining patterns go as a new request whose
    // indexes are offset by what is already answered.
    const offset = index + 1;
    const request = { id: this.nextId++, text: running.request.text, patterns: rest };
    this.running = {
      ...running,
      request,
      results: [],
      resolve: (results) => running.resolve([...running.results.slice(0, offset), ...results]),
    };
    this.send(request);
  }

  private crashed(thread: Worker, error: unknown): void {
    if (thread !== this.thread) return;
    this.thread = undefined;
    const running = this.running;
    this.running = undefined;
    if (running) {
      clearTimeout(running.timer);
      running.reject(error);
    }
  }
}
