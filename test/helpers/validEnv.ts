/** The smallest environment the configuration accepts; tests change what they test. */
export const VALID_ENV = {
  TENANT: '11111111-1111-4111-8111-111111111111',
  CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  CLIENT_SECRET: 'secret-value',
  BASE_URL: 'https://threatdesk.example.com/',
  SESSION_SECRETS: 'a'.repeat(32),
};
