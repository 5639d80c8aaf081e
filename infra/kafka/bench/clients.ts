// npm run bench:kafka-clients: the Node Kafka clients side by side on the same broker, the
// way Earshot's bus uses them: keyed messages of the mentions' average size produced with
// acks=all in sends of 1,000, then consumed by a group with a commit per batch. Prints
// rates and CPU per message for kafkajs (what the bus runs on) and, when installed,
// @platformatic/kafka (maintained; 1.x is the last line that supports Node 20):
//   npm i --no-save @platformatic/kafka@1.35.0
// Needs the broker: npm run kafka:start. Usage: npm run bench:kafka-clients -- [records]
import kafkajs from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const records = Number(process.argv[2] ?? 100_000);
const SEND = 1_000;
const PARTITIONS = 6;
// The average size of an encoded raw mention (`npm run bench:kafka` measures it).
const value = Buffer.alloc(337, 'x');
const keyOf = (i: number) => `source:${i % 997}`;

interface Rates {
  client: string;
  producePerSecond: number;
  consumePerSecond: number;
  produceCpuMicros: number;
  consumeCpuMicros: number;
}

/** Times `produce` then `consume` (until every record is in), with the process's CPU over each. */
async function measure(client: string, produce: () => Promise<void>, consume: () => Promise<void>): Promise<Rates> {
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let c0 = cpu();
  let t0 = performance.now();
  await produce();
  const produceMs = performance.now() - t0;
  const produceCpu = cpu() - c0;
  c0 = cpu();
  t0 = performance.now();
  await consume();
  return {
    client,
    producePerSecond: Math.round((records / produceMs) * 1000),
    consumePerSecond: Math.round((records / (performance.now() - t0)) * 1000),
    produceCpuMicros: Math.round((produceCpu / records) * 10) / 10,
    consumeCpuMicros: Math.round(((cpu() - c0) / records) * 10) / 10,
  };
}

async function kafkajsRates(): Promise<Rates> {
  const topic = `bench-clients-kafkajs-${Date.now()}`;
  const kafka = new kafkajs.Kafka({ clientId: 'bench-clients', brokers, logLevel: kafkajs.logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 250 });
  try {
    return await measure(
      'kafkajs 2.2',
      async () => {
        for (let i = 0; i < records; i += SEND)
          await producer.send({ topic, acks: -1, messages: Array.from({ length: Math.min(SEND, records - i) }, (_, j) => ({ key: keyOf(i + j), value })) });
      },
      async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        let got = 0;
        await new Promise<void>((done, fail) => {
          consumer
            .run({
              autoCommit: false,
              partitionsConsumedConcurrently: PARTITIONS,
              eachBatch: async ({ batch }) => {
                got += batch.messages.length;
                const last = batch.messages.at(-1)?.offset;
                if (last !== undefined) await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
                if (got >= records) done();
              },
            })
            .catch(fail);
        });
      },
    );
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

async function platformaticRates(): Promise<Rates | string> {
  // A string specifier keeps the type checker from requiring a package that is not a dependency.
  const name = '@platformatic/kafka';
  let pk: any; // optional, not installed by npm ci
  try {
    pk = await import(name);
  } catch {
    return `not installed (npm i --no-save ${name}@1.35.0 to compare)`;
  }
  const topic = `bench-clients-platformatic-${Date.now()}`;
  const admin = new pk.Admin({ clientId: 'bench-clients', bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  await admin.close();
  const raw = {
    key: (k?: string) => (k === undefined ? undefined : Buffer.from(k)),
    value: (v?: Buffer) => v,
    headerKey: (h?: string) => h,
    headerValue: (h?: string) => h,
  };
  const producer = new pk.Producer({ clientId: 'bench-clients', bootstrapBrokers: brokers, serializers: raw, acks: -1 });
  const consumer = new pk.Consumer({ groupId: topic, clientId: 'bench-clients', bootstrapBrokers: brokers, maxWaitTime: 250 });
  try {
    return await measure(
      `@platformatic/kafka ${pk.clientSoftwareVersion ?? ''}`.trim(),
      async () => {
        for (let i = 0; i < records; i += SEND)
          await producer.send({ messages: Array.from({ length: Math.min(SEND, records - i) }, (_, j) => ({ topic, key: keyOf(i + j), value })) });
      },
      async () => {
        // Its consumer is a stream of single messages; commit as often as the bus would (once per 1,000).
        const stream = await consumer.consume({ autocommit: false, topics: [topic], mode: 'earliest', sessionTimeout: 10_000, heartbeatInterval: 1_000 });
        let got = 0;
        for await (const m of stream) {
          if (++got % SEND === 0 || got >= records) await m.commit();
          if (got >= records) break;
        }
        await stream.close().catch(() => undefined);
      },
    );
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close();
  }
}

const rows = [await kafkajsRates(), await platformaticRates()];
console.log(
  `Node Kafka clients, ${records.toLocaleString('en-US')} records of ${value.length} bytes, ${PARTITIONS} partitions, acks=all, on ${brokers.join(',')}:\n`,
);
console.log('| client | produce/s | consume/s | CPU µs per record produced | CPU µs per record consumed |');
console.log('|---|---|---|---|---|');
for (const r of rows)
  console.log(
    typeof r === 'string'
      ? `| @platformatic/kafka | ${r} | | | |`
      : `| ${r.client} | ${r.producePerSecond.toLocaleString('en-US')} | ${r.consumePerSecond.toLocaleString('en-US')} | ${r.produceCpuMicros} | ${r.consumeCpuMicros} |`,
  );
process.exit(0);
