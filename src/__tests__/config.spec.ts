/**
 * Settings validation: what is accepted, what is refused and why.
 */
import {
  DEFAULT_CONFIG,
  configWarnings,
  isMixedContent,
  parseGatewaySettings
} from '../gateway/config';
import { composeGatewaySettings } from '../gateway/settings';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('../../schema/plugin.json');

describe('parseGatewaySettings', () => {
  it('has no gateway by default: kernels run locally', () => {
    const { config, problems } = parseGatewaySettings({});
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(problems).toEqual([]);
  });

  it('normalises the URL and derives the websocket URL', () => {
    const { config } = parseGatewaySettings({
      gatewayUrl: ' https://gw.example.org:8443/kg ',
      authToken: ' abc '
    });
    expect(config.url).toBe('https://gw.example.org:8443/kg/');
    expect(config.wsUrl).toBe('wss://gw.example.org:8443/kg/');
    expect(config.token).toBe('abc');
    expect(
      parseGatewaySettings({
        gatewayUrl: 'http://h:1',
        wsUrl: 'ws://other:2/x'
      }).config.wsUrl
    ).toBe('ws://other:2/x/');
  });

  it.each([
    ['javascript:alert(1)', /only http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /only http:\/\/ or https:\/\//],
    ['data:text/html,hi', /only http:\/\/ or https:\/\//],
    ['ws://gw:8889', /only http:\/\/ or https:\/\//],
    ['gateway:8889', /only http:\/\/ or https:\/\//],
    ['not a url', /is not a URL/],
    ['http://user:pw@gw:8889', /Auth token/],
    ['http://gw:8889/?token=x', /query or fragment/]
  ])('refuses the gateway URL %s with a message', (url, message) => {
    const { config, problems } = parseGatewaySettings({ gatewayUrl: url });
    expect(config.url).toBe('');
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe('gatewayUrl');
    expect(problems[0].message).toMatch(message);
  });

  it('refuses a websocket URL that is not ws(s)', () => {
    const { problems } = parseGatewaySettings({
      gatewayUrl: 'http://gw:1',
      wsUrl: 'http://gw:1'
    });
    expect(problems[0].message).toMatch(/only ws:\/\/ or wss:\/\//);
  });

  it('checks timeouts and the kernel environment', () => {
    const { config, problems } = parseGatewaySettings({
      requestTimeout: 0,
      kernelLaunchTimeout: 'soon',
      kernelEnv: { PATH: '/evil' }
    });
    expect(problems.map(p => p.key)).toEqual([
      'requestTimeout',
      'kernelLaunchTimeout',
      'kernelEnv'
    ]);
    expect(problems[2].message).toMatch(/must start with KERNEL_/);
    expect(config.requestTimeout).toBe(42);
    expect(config.kernelEnv).toEqual({});
    expect(
      parseGatewaySettings({ kernelEnv: { KERNEL_A: 'x'.repeat(4097) } })
        .problems[0].message
    ).toMatch(/4096/);
  });
});

describe('settings loaded before the settings registry exists', () => {
  function plugin(raw: string, defaults: Record<string, unknown> = {}) {
    const s = JSON.parse(JSON.stringify(schema));
    for (const [key, value] of Object.entries(defaults)) {
      s.properties[key].default = value;
    }
    return {
      id: 'jupyterlab-kernel-gateway:plugin',
      raw,
      schema: s,
      data: { composite: {}, user: {} },
      version: '0.1.0'
    };
  }

  it('gives every schema property a title, a description and a default', () => {
    for (const [key, property] of Object.entries(schema.properties)) {
      const p = property as Record<string, unknown>;
      expect([key, typeof p.title]).toEqual([key, 'string']);
      expect([key, typeof p.description]).toEqual([key, 'string']);
      expect(p).toHaveProperty('default');
    }
  });

  it('uses the administrator’s overrides (schema defaults) under the user’s JSON5 settings', () => {
    const result = composeGatewaySettings(
      plugin('{ // user settings\n authToken: "user-token", }', {
        gatewayUrl: 'https://admin.example.org/'
      })
    );
    expect(result.problems).toEqual([]);
    expect(result.config.url).toBe('https://admin.example.org/');
    expect(result.config.token).toBe('user-token');
  });

  it('refuses user settings that break the schema and falls back to the defaults', () => {
    const result = composeGatewaySettings(
      plugin('{"gatewayUrl": "javascript:alert(1)"}', {
        gatewayUrl: 'https://admin.example.org/'
      })
    );
    expect(result.config.url).toBe('https://admin.example.org/');
    expect(result.problems[0].message).toMatch(/refused/);
  });
});

describe('what will not work from this page', () => {
  const config = (gatewayUrl: string, wsUrl = '') =>
    parseGatewaySettings({ gatewayUrl, wsUrl }).config;

  it('knows an http gateway is blocked from an https page, but not on loopback', () => {
    const page = 'https://jupyter.example.org';
    expect(isMixedContent(config('http://gateway.example.org/'), page)).toBe(
      true
    );
    expect(isMixedContent(config('https://gateway.example.org/'), page)).toBe(
      false
    );
    expect(
      isMixedContent(
        config('https://gateway.example.org/', 'ws://gateway.example.org/'),
        page
      )
    ).toBe(true);
    for (const loopback of [
      'http://localhost:8889/',
      'http://127.0.0.1:8889/',
      'http://[::1]:8889/',
      'http://gw.localhost/'
    ]) {
      expect([loopback, isMixedContent(config(loopback), page)]).toEqual([
        loopback,
        false
      ]);
    }
    expect(
      isMixedContent(config('http://gateway.example.org/'), 'http://a.b')
    ).toBe(false);
  });

  it('says to use https, before anything is sent', () => {
    const [warning] = configWarnings(
      config('http://gateway.example.org/'),
      'https://jupyter.example.org'
    );
    expect(warning.message).toMatch(
      /^Use https for the Kernel Gateway at http:\/\/gateway\.example\.org\/: .*"mixed content"/
    );
  });
});

describe('keep-alive and launch options settings', () => {
  it('accepts a keep-alive of 0 (none) or 1-3600 s, refuses the rest', () => {
    expect(parseGatewaySettings({}).config.keepAliveInterval).toBe(30);
    expect(
      parseGatewaySettings({ keepAliveInterval: 0 }).config.keepAliveInterval
    ).toBe(0);
    expect(
      parseGatewaySettings({ keepAliveInterval: 5 }).config.keepAliveInterval
    ).toBe(5);
    expect(
      parseGatewaySettings({ keepAliveInterval: -1 }).problems[0].key
    ).toBe('keepAliveInterval');
  });

  it('checks declared launch options and their defaults', () => {
    const ok = parseGatewaySettings({
      launchOptions: [
        { name: 'KERNEL_CPUS', type: 'integer', default: 2, minimum: 1 }
      ]
    });
    expect(ok.problems).toEqual([]);
    expect(ok.config.launchOptions[0]).toMatchObject({
      name: 'KERNEL_CPUS',
      title: 'KERNEL_CPUS',
      default: '2'
    });
    for (const [bad, reason] of [
      [
        [{ name: 'CPUS', type: 'integer', default: 1 }],
        'must start with KERNEL_'
      ],
      [
        [{ name: 'KERNEL_CPUS', type: 'integer', default: 0, minimum: 1 }],
        'its default "0" is not allowed (at least 1)'
      ],
      [[{ name: 'KERNEL_X', type: 'date', default: '' }], 'unknown type'],
      ['KERNEL_X', 'must be a list']
    ] as const) {
      const result = parseGatewaySettings({ launchOptions: bad });
      expect(result.problems[0].message).toContain(reason);
      expect(result.config.launchOptions).toEqual([]);
    }
  });
});
