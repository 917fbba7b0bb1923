import { describe, expect, it } from '@jest/globals';
import { AppError, createErrorFormatter, dependencyOutage } from '@docuvault/shared/errors/index';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { pino } from 'pino';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('dependency outages', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:43705', 'ECONNREFUSED'), 'network'],
    [
      'a shutting-down PostgreSQL (57P01)',
      withCode('terminating connection due to administrator command', '57P01'),
      'postgres',
    ],
    ['a starting PostgreSQL (57P03)', withCode('the database system is starting up', '57P03'), 'postgres'],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300'), 'postgres'],
    [
      'a statement timeout (57014)',
      withCode('canceling statement due to statement timeout', '57014'),
      'postgres',
    ],
    ["pg's pool timeout", new Error('timeout exceeded when trying to connect'), 'postgres'],
    ["pg's lost connection", new Error('Connection terminated unexpectedly'), 'postgres'],
    ['shutdown in words only', new Error('FATAL: the database system is shutting down'), 'postgres'],
    ["ioredis's closed connection", new Error('Connection is closed.'), 'redis'],
    [
      'ioredis without offline queue',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      'redis',
    ],
    ['an S3 SlowDown', withCode('Please reduce your request rate.', 'SlowDown'), 'objectStore'],
    [
      'an aborted timeout',
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      'network',
    ],
    [
      'a refusal behind a cause',
      new Error('fetch failed', { cause: withCode('connect ECONNREFUSED ::1:9000', 'ECONNREFUSED') }),
      'network',
    ],
    [
      'one per address',
      new AggregateError([withCode('x', 'ECONNREFUSED'), withCode('y', 'ECONNREFUSED')]),
      'network',
    ],
    [
      'a MikroORM wrapper',
      new ConnectionException(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      'network',
    ],
  ])('recognises %s', (_case, error, dependency) => {
    expect(dependencyOutage(error)?.dependency).toBe(dependency);
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a constraint violation (23505)', new DriverException(withCode('duplicate key value', '23505'))],
    ['a syntax error (42601)', withCode('syntax error at or near "selec"', '42601')],
    ['our own SERVICE_UNAVAILABLE', new AppError('SERVICE_UNAVAILABLE', 'Direct uploads are off')],
    ['a non-error', 'ECONNREFUSED'],
  ])('does not take %s for an outage', (_case, error) => {
    expect(dependencyOutage(error)).toBeUndefined();
  });
});

describe('the error formatter', () => {
  const logger = pino({ level: 'silent' });
  const asApollo = (error: Error, extensions: Record<string, unknown> = {}) => {
    const wrapped = new GraphQLError(error.message, { originalError: error, path: ['topics'] });
    return {
      formatted: {
        message: error.message,
        path: ['topics'],
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          stacktrace: ['Error: x', '    at /srv/app/x.ts:1:1'],
          ...extensions,
        },
      },
      wrapped,
    };
  };

  it.each([false, true])(
    'answers an outage with SERVICE_UNAVAILABLE, a retry hint and no driver text (details exposed: %s)',
    (exposeDetails) => {
      const format = createErrorFormatter(logger, { exposeDetails });
      const { formatted, wrapped } = asApollo(
        withCode('connect ECONNREFUSED 127.0.0.1:43705', 'ECONNREFUSED'),
      );
      const result = format(formatted, wrapped);
      expect(result).toEqual({
        message: expect.any(String),
        path: ['topics'],
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) },
      });
      expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stacktrace/);
    },
  );

  it('keeps stack traces and raw messages out unless details are exposed', () => {
    const { formatted, wrapped } = asApollo(new Error('insert into "documents" failed at /srv/app/x.ts'));
    const hidden = createErrorFormatter(logger, { exposeDetails: false })(formatted, wrapped);
    expect(hidden).toEqual({
      message: 'Internal server error',
      path: ['topics'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const shown = createErrorFormatter(logger, { exposeDetails: true })(formatted, wrapped);
    expect(shown.extensions?.stacktrace).toEqual(formatted.extensions.stacktrace);

    const client = {
      message: 'Cannot query field "ECONNREFUSED" on type "Query".',
      extensions: {
        code: 'GRAPHQL_VALIDATION_FAILED',
        stacktrace: ['GraphQLError: x', '    at /srv/app/y.ts:2:2'],
      },
    };
    const validation = createErrorFormatter(logger, { exposeDetails: false })(
      client,
      new GraphQLError(client.message),
    );
    expect(validation).toEqual({
      message: client.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('adds the retry hint to every SERVICE_UNAVAILABLE, ours or a subgraph’s', () => {
    const format = createErrorFormatter(logger, { exposeDetails: false });
    const ours = new AppError('SERVICE_UNAVAILABLE', 'Direct uploads are not enabled');
    expect(
      format({ message: ours.message }, new GraphQLError(ours.message, { originalError: ours })).extensions,
    ).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      retryAfterSeconds: 5,
    });
    const forwarded = { message: 'A service is unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } };
    expect(format(forwarded, new GraphQLError(forwarded.message)).extensions?.retryAfterSeconds).toBe(5);
  });
});
