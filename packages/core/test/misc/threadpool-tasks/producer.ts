/* ThreadInbox test producer: a worker sending `count` numbered messages through a ThreadProducer. */
import { workerData, type MessagePort } from 'node:worker_threads';
import { ThreadProducer } from '../../../src/misc/thread-feed.js';

const { port, count, tag } = workerData as { port: MessagePort; count: number; tag: string };
const producer = new ThreadProducer<string>(port);
for (let n = 0; n < count; n++) await producer.send(`${tag}:${n}`);
producer.close();
