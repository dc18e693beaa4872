/**
 * How often the page asks a gateway whether it works: every 30 s while it
 * answers; when it does not, again after 1, 2, 4, 8, then every 15 s, so a
 * gateway (or network) that comes back is noticed within seconds.
 */
import { HealthMonitor } from '../managers/health';

describe('the health monitor', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  /**
   * The times (ms from start) of the checks made within `until` ms, with
   * `answers(n)` saying whether check n succeeds.
   */
  async function checkTimes(
    answers: (n: number) => boolean,
    until: number,
    standby: () => boolean | 'when-hidden' = () => false
  ): Promise<number[]> {
    const times: number[] = [];
    const start = Date.now();
    const monitor = new HealthMonitor({
      check: async () => {
        times.push(Date.now() - start);
        return answers(times.length - 1);
      },
      standby
    });
    for (let t = 0; t < until; t += 250) {
      await jest.advanceTimersByTimeAsync(250);
    }
    monitor.dispose();
    return times;
  }

  it('checks every 30 s while the gateway answers', async () => {
    expect(await checkTimes(() => true, 95000)).toEqual([
      0, 30000, 60000, 90000
    ]);
  });

  it('retries after 1, 2, 4, 8, then every 15 s while it does not', async () => {
    expect(await checkTimes(() => false, 61000)).toEqual([
      0, 1000, 3000, 7000, 15000, 30000, 45000, 60000
    ]);
  });

  it('goes back to 30 s once the gateway answers again', async () => {
    // Down for the first three checks, then back.
    expect(await checkTimes(n => n >= 3, 40000)).toEqual([
      0, 1000, 3000, 7000, 37000
    ]);
  });

  it('retries soon after something else failed', async () => {
    const times: number[] = [];
    const start = Date.now();
    const monitor = new HealthMonitor({
      check: async () => {
        times.push(Date.now() - start);
        return times.length !== 2;
      },
      standby: () => false
    });
    await jest.advanceTimersByTimeAsync(5000);
    // A request failed: check in 1 s, not in 25 s.
    monitor.retrySoon();
    await jest.advanceTimersByTimeAsync(1000);
    monitor.dispose();
    expect(times).toEqual([0, 6000]);
  });

  it('makes no check while JupyterLab is in standby', async () => {
    expect(
      await checkTimes(
        () => true,
        65000,
        () => true
      )
    ).toEqual([]);
  });
});
