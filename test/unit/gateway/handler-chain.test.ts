import { describe, expect, it } from '@jest/globals';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { handlerChain, type Handler } from '../../../gateway/src/handler-chain.ts';

// The gateway's GraphQL route runs its handlers as one chain (gateway/src/handler-chain.ts)
// instead of one router layer each: the chain must pass requests and errors along exactly
// as an Express router with the same handlers does.

type Trace = string[];

/** Runs `handlers` through `mount` and answers the steps taken and what reached the end. */
async function run(
  mount: (handlers: Handler[]) => (req: Request, res: Response, done: (e?: unknown) => void) => void,
  build: (trace: Trace) => Handler[],
) {
  const trace: Trace = [];
  const req = { method: 'POST', url: '/', headers: {} } as Request;
  const res = {} as Response;
  const ended = await new Promise<unknown>((resolve) => {
    mount(build(trace))(req, res, (error?: unknown) =>
      resolve(error === undefined ? 'done' : (error as Error).message),
    );
  });
  return { trace, ended };
}

const viaRouter = (handlers: Handler[]) => {
  const router = express.Router();
  router.use(...handlers);
  return (req: Request, res: Response, done: (e?: unknown) => void) => router(req, res, done);
};
const viaChain = (handlers: Handler[]) => handlerChain(handlers);

const step =
  (trace: Trace, name: string): RequestHandler =>
  (_req, _res, next) => {
    trace.push(name);
    next();
  };
const fails =
  (trace: Trace, name: string): RequestHandler =>
  (_req, _res, next) => {
    trace.push(name);
    next(new Error(name));
  };
const throws =
  (trace: Trace, name: string): RequestHandler =>
  () => {
    trace.push(name);
    throw new Error(name);
  };
const rejects =
  (trace: Trace, name: string): RequestHandler =>
  async () => {
    trace.push(name);
    throw new Error(name);
  };
const recovers =
  (trace: Trace, name: string): ErrorRequestHandler =>
  (error: unknown, _req, _res, next) => {
    trace.push(`${name}(${(error as Error).message})`);
    next();
  };
const passesOn =
  (trace: Trace, name: string): ErrorRequestHandler =>
  (error: unknown, _req, _res, next) => {
    trace.push(`${name}(${(error as Error).message})`);
    next(error);
  };

const cases: [string, (trace: Trace) => Handler[]][] = [
  ['every handler in order, then the end', (t) => [step(t, 'a'), recovers(t, 'skipped'), step(t, 'b')]],
  [
    'an error skips plain handlers to the next error handler',
    (t) => [fails(t, 'a'), step(t, 'skipped'), recovers(t, 'e'), step(t, 'b')],
  ],
  [
    'a throw is passed on as an error',
    (t) => [throws(t, 'a'), step(t, 'skipped'), passesOn(t, 'e'), step(t, 'skipped too')],
  ],
  [
    'a rejected promise is passed on as an error',
    (t) => [rejects(t, 'a'), step(t, 'skipped'), recovers(t, 'e'), step(t, 'b')],
  ],
  ['an error nobody handles reaches the end', (t) => [step(t, 'a'), fails(t, 'b'), step(t, 'skipped')]],
  [
    'an error handler that throws passes its own error on',
    (t) => [
      fails(t, 'a'),
      (_e: unknown, _q: Request, _r: Response, _n: unknown) => {
        t.push('e');
        throw new Error('e');
      },
      passesOn(t, 'f'),
    ],
  ],
];

describe('the GraphQL route’s handler chain', () => {
  it.each(cases)('as an Express router: %s', async (_name, build) => {
    const chained = await run(viaChain, build);
    expect(chained).toEqual(await run(viaRouter, build));
    expect(chained.trace.length).toBeGreaterThan(0);
  });

  it('stops where a handler answers without calling next', async () => {
    const trace: Trace = [];
    let ended = false;
    const chain = handlerChain([step(trace, 'a'), () => void trace.push('answers'), step(trace, 'skipped')]);
    chain({ method: 'POST', url: '/', headers: {} } as Request, {} as Response, () => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(trace).toEqual(['a', 'answers']);
    expect(ended).toBe(false);
  });
});
