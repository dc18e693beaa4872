/**
 * "Test gateway connection" against real gateways, step by step.
 */
import type { IRawGatewaySettings } from '../gateway/config';
import { parseGatewaySettings } from '../gateway/config';
import type { FetchFunction } from '../gateway/connection';
import type {
  IDiagnosticEnvironment,
  IDiagnosticStep
} from '../gateway/diagnostics';
import { testGatewayConnection } from '../gateway/diagnostics';
import { freePortSync } from './ports';
import { LISTING, PAGE_ORIGIN, gatewayKernelIds } from './helpers';

function configFor(raw: IRawGatewaySettings) {
  return parseGatewaySettings(raw).config;
}

const env: IDiagnosticEnvironment = {
  fetch: (input, init) => fetch(input, init),
  WebSocket,
  pageOrigin: PAGE_ORIGIN,
  timeout: 10
};

function summary(steps: IDiagnosticStep[]): string[] {
  return steps.map(step => `${step.id}:${step.status}`);
}

describe('testGatewayConnection', () => {
  it('passes every step against a well configured gateway, and cleans up', async () => {
    const before = await gatewayKernelIds(LISTING);
    const progress: string[] = [];
    const steps = await testGatewayConnection(
      configFor({ gatewayUrl: LISTING.url, authToken: LISTING.token }),
      env,
      step => progress.push(step.id)
    );
    expect(summary(steps)).toEqual([
      'settings:pass',
      'reach:pass',
      'api:pass',
      'token:pass',
      'cors:pass',
      'kernelspecs:pass',
      'websocket:pass'
    ]);
    expect(progress).toEqual(steps.map(step => step.id));
    expect(steps[5].detail).toContain('python3');
    expect(steps[6].detail).toMatch(/websocket answered kernel_info in \d+ ms/);
    // The kernel it started is gone again.
    expect(await gatewayKernelIds(LISTING)).toEqual(before);
  });

  it('names the token to fix when the gateway refuses it', async () => {
    const steps = await testGatewayConnection(
      configFor({ gatewayUrl: LISTING.url, authToken: 'wrong' }),
      env
    );
    expect(summary(steps).slice(0, 4)).toEqual([
      'settings:pass',
      'reach:pass',
      'api:pass',
      'token:fail'
    ]);
    expect(steps[3].fix).toMatch(/"Auth token".*KG_AUTH_TOKEN/);
    expect(steps.slice(4).every(step => step.status === 'skip')).toBe(true);
  });

  it('says nothing answers when no gateway runs there', async () => {
    const url = `http://localhost:${freePortSync()}/`;
    const steps = await testGatewayConnection(
      configFor({ gatewayUrl: url }),
      env
    );
    expect(summary(steps).slice(0, 2)).toEqual(['settings:pass', 'reach:fail']);
    expect(steps[1].fix).toMatch(/host name and port/);
  });

  it('says kernels run locally when no URL is set', async () => {
    const steps = await testGatewayConnection(configFor({}), env);
    expect(steps[0].status).toBe('fail');
    expect(steps[0].fix).toMatch(/Kernel Gateway URL/);
  });

  it('tells CORS from the token when the browser hides both', async () => {
    // A gateway that does not allow this origin: in a browser every CORS
    // request fails, but an <img> (no CORS) loads with the right token.
    const noCors: FetchFunction = async (input, init) => {
      if (init?.mode === 'no-cors') {
        return fetch(input, init);
      }
      throw new TypeError('Failed to fetch');
    };
    const loadImage = async (url: string) => (await fetch(url)).ok;
    const steps = await testGatewayConnection(
      configFor({ gatewayUrl: LISTING.url, authToken: LISTING.token }),
      { ...env, fetch: noCors, loadImage }
    );
    expect(summary(steps).slice(0, 5)).toEqual([
      'settings:pass',
      'reach:pass',
      'api:pass',
      'token:pass',
      'cors:fail'
    ]);
    expect(steps[4].fix).toContain(
      `--KernelGatewayApp.allow_origin=${PAGE_ORIGIN}`
    );

    // With a wrong token nothing loads: both fixes are given.
    const wrong = await testGatewayConnection(
      configFor({ gatewayUrl: LISTING.url, authToken: 'wrong' }),
      { ...env, fetch: noCors, loadImage }
    );
    expect(wrong[3].status).toBe('fail');
    expect(wrong[3].fix).toMatch(/Auth token.*allow_origin/);
  });
});
