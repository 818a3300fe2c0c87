import { ConfigError, loadConfig } from '../../src/config/config';
import { VALID_ENV } from '../helpers/validEnv';

const valid = VALID_ENV;

describe('TRUST_PROXY: rate limits key on an address the client cannot choose', () => {
  it('refuses true, which would trust the left-most X-Forwarded-For entry (written by the client)', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...valid, TRUST_PROXY: 'true' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^TRUST_PROXY must not be true\b.*number of proxies/)]);
  });

  it.each([
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['loopback', 'loopback'],
    ['10.0.0.0/8, 192.168.0.1', '10.0.0.0/8, 192.168.0.1'],
  ] as const)('accepts %s', (value, expected) => {
    expect(loadConfig({ ...valid, TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});
