import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RESTART_POLICY, RestartTracker } from '@docuvault/local-stack/launcher/restart-policy';

const policy = { firstDelayMs: 500, maxDelayMs: 3_000, healthyAfterMs: 10_000, maxQuickFailures: 5 };

describe('npm start: when a process that exited is restarted', () => {
  it('doubles the wait after each quick failure, up to the maximum', () => {
    const tracker = new RestartTracker({ ...policy, maxQuickFailures: 10 });
    const delays = Array.from({ length: 6 }, () => tracker.exited(1_000)).map((d) =>
      d.action === 'restart' ? d.delayMs : d.action,
    );
    expect(delays).toEqual([500, 1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it('restarts a crash after a good run after the first delay, and forgets earlier quick failures', () => {
    const tracker = new RestartTracker(policy);
    for (let i = 0; i < 4; i++) expect(tracker.exited(200).action).toBe('restart');
    expect(tracker.exited(10_000)).toEqual({ action: 'restart', delayMs: 500, quickFailures: 0 });
    // Four more quick failures are allowed again before it gives up.
    for (let i = 0; i < 4; i++) expect(tracker.exited(200).action).toBe('restart');
    expect(tracker.exited(200).action).toBe('give-up');
  });

  it('gives up on the fifth failure in a row at start, and says so', () => {
    const tracker = new RestartTracker(policy);
    const decisions = Array.from({ length: 5 }, () => tracker.exited(9_999));
    expect(decisions.slice(0, 4).every((d) => d.action === 'restart')).toBe(true);
    expect(decisions[4]).toEqual({
      action: 'give-up',
      quickFailures: 5,
      reason: 'exited 5 times in a row within 10 s of starting',
    });
  });

  it('never gives up on a process that crashes after running a while (a worker killed by a bad file)', () => {
    const tracker = new RestartTracker(policy);
    for (let i = 0; i < 50; i++)
      expect(tracker.exited(60_000)).toMatchObject({ action: 'restart', delayMs: 500 });
  });

  it("is compose's rule by default: doubling waits, reset after 10 s of running, five failures at start", () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({
      firstDelayMs: 500,
      maxDelayMs: 30_000,
      healthyAfterMs: 10_000,
      maxQuickFailures: 5,
    });
  });
});
