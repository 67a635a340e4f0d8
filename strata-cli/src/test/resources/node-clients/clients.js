// Run by NodeClientsIT with the variables `strata env` prints: node-postgres through DATABASE_URL
// (verify-full against the stack's CA), ioredis and a BullMQ job through REDIS_URL (TLS, REDIS_CA).
// Prints one line per check; exits non-zero on the first failure.
const fs = require('fs');
const { Client } = require('pg');
const IORedis = require('ioredis');
const { Queue, Worker, QueueEvents } = require('bullmq');

function redis() {
  const tls = process.env.REDIS_CA ? { ca: fs.readFileSync(process.env.REDIS_CA) } : undefined;
  return new IORedis(process.env.REDIS_URL, { tls, maxRetriesPerRequest: null });
}

async function main() {
  const pg = new Client({ connectionString: process.env.DATABASE_URL });
  await pg.connect();
  // PgBouncer accepts only TLS clients: a query that answers went over verify-full TLS.
  const r = await pg.query('SELECT current_user AS who');
  console.log(`pg: ${r.rows[0].who}`);
  await pg.end();

  const io = redis();
  await io.set('node:hello', 'world');
  console.log(`ioredis: ${await io.get('node:hello')} ${(await io.info('server')).includes('redis_version') ? 'info' : 'no-info'}`);
  io.disconnect();

  const connection = redis();
  const queue = new Queue('strata-it', { connection });
  const events = new QueueEvents('strata-it', { connection: redis() });
  const worker = new Worker('strata-it', async (job) => job.data.a + job.data.b, { connection: redis() });
  await events.waitUntilReady();
  const job = await queue.add('sum', { a: 2, b: 40 });
  const result = await job.waitUntilFinished(events, 30000);
  console.log(`bullmq: ${result}`);
  await worker.close();
  await events.close();
  await queue.close();
  connection.disconnect();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`failed: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
