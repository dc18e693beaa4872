/**
 * Kernelspecs come from the gateway, with logos the page can load.
 */
import { parseGatewaySettings } from '../gateway/config';
import { resolveResourceUrl } from '../gateway/kernelspecclient';
import { KernelGatewayService } from '../managers/service';
import {
  browserStores,
  LISTING,
  PAGE_ORIGIN,
  PRIVATE,
  makeBackend
} from './helpers';

describe('kernelspecs from a real gateway', () => {
  it('lists the gateway’s kernelspecs with logo URLs on the gateway, with the token', async () => {
    const backend = makeBackend();
    await backend.kernelspecs.refreshSpecs();
    const specs = backend.kernelspecs.specs!;
    expect(specs.default).toBe('python3');
    const python = specs.kernelspecs.python3!;
    // Its own display name: what a notebook records.
    expect(python.display_name).toBe('Python 3 (ipykernel)');
    const logo = python.resources['logo-64x64'];
    expect(logo).toBe(
      `${LISTING.url}kernelspecs/python3/logo-64x64.png?token=${LISTING.token}`
    );
    // The URL really serves the image (an <img> cannot send headers).
    const response = await fetch(logo);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    // Without the token the gateway refuses it.
    const bare = await fetch(logo.split('?')[0]);
    expect(bare.status).toBe(401);
    backend.dispose();
  });

  it('offers kernelspecs labelled with the name the user gave the gateway, renamed live', async () => {
    const settings = (gatewayName: string) =>
      parseGatewaySettings({
        gatewayUrl: LISTING.url,
        authToken: LISTING.token,
        gatewayName
      });
    const service = new KernelGatewayService({
      settings: settings('gpu-cluster'),
      pageOrigin: PAGE_ORIGIN,
      localBaseUrl: `${PAGE_ORIGIN}/`,
      stores: browserStores(),
      standby: () => false
    });
    await service.kernelspecs.refreshSpecs();
    expect(service.kernelspecs.specs!.kernelspecs.python3!.display_name).toBe(
      'Python 3 (ipykernel) [gpu-cluster]'
    );
    expect(service.label).toBe('gpu-cluster');
    expect(service.configure(settings('cpu'))).toEqual([]);
    expect(service.kernelspecs.specs!.kernelspecs.python3!.display_name).toBe(
      'Python 3 (ipykernel) [cpu]'
    );
    service.kernels.dispose();
  });

  it('works on a gateway that refuses listing kernels', async () => {
    const backend = makeBackend({ gateway: PRIVATE });
    await backend.kernelspecs.refreshSpecs();
    expect(Object.keys(backend.kernelspecs.specs!.kernelspecs)).toContain(
      'python3'
    );
    backend.dispose();
  });
});

describe('kernelspecs from a hostile gateway', () => {
  // A real gateway cannot be made to send these: inject the answer.
  const hostile = {
    default: 'evil',
    kernelspecs: {
      evil: {
        name: 'evil',
        spec: {
          display_name: '<img src=x onerror="alert(1)">Evil',
          language: '<script>alert(2)</script>',
          argv: ['python'],
          env: {},
          metadata: {}
        },
        resources: {
          'logo-64x64': 'https://attacker.example/logo.png',
          'logo-32x32': '//attacker.example/small.png',
          'logo-svg': 'javascript:alert(3)',
          'kernel.js': '/kernelspecs/evil/kernel.js'
        }
      },
      broken: { name: 'broken', spec: 'not an object' },
      mismatched: {
        name: 'other-name',
        spec: { display_name: 'x', language: 'y' }
      }
    }
  };

  it('drops resources on other origins and malformed specs; keeps markup as plain text', async () => {
    const backend = makeBackend({
      fetch: async () =>
        new Response(JSON.stringify(hostile), {
          status: 200,
          headers: { 'Content-Type': 'application/json' }
        })
    });
    await backend.kernelspecs.refreshSpecs();
    const specs = backend.kernelspecs.specs!;
    expect(Object.keys(specs.kernelspecs)).toEqual(['evil']);
    const evil = specs.kernelspecs.evil!;
    // Strings stay strings: JupyterLab renders display_name as text.
    expect(evil.display_name).toBe('<img src=x onerror="alert(1)">Evil');
    expect(Object.keys(evil.resources)).toEqual(['kernel.js']);
    expect(evil.resources['kernel.js']).toBe(
      `${LISTING.url}kernelspecs/evil/kernel.js?token=${LISTING.token}`
    );
    backend.dispose();
  });

  it('resolves resource URLs against the gateway, not the page', () => {
    const { config } = parseGatewaySettings({
      gatewayUrl: 'https://gw.example.org/prefix/',
      authToken: 't'
    });
    expect(
      resolveResourceUrl('/kernelspecs/python3/logo-64x64.png', config)
    ).toBe('https://gw.example.org/kernelspecs/python3/logo-64x64.png?token=t');
    expect(resolveResourceUrl('https://gw.example.org/a.png#x', config)).toBe(
      'https://gw.example.org/a.png?token=t'
    );
    expect(
      resolveResourceUrl('data:image/png;base64,AAAA', config)
    ).toBeUndefined();
    expect(
      resolveResourceUrl('http://gw.example.org/a.png', config)
    ).toBeUndefined();
  });
});
