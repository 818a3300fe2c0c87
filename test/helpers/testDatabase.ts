import { Client } from 'pg';

/** The test machines' PostgreSQL (trust auth), where each app instance (or pair of replicas) gets a schema of its own. */
export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export async function onTestDatabase(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
