import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { testS3Client } from '../devkit/scratch/s3.ts';
import { graphql } from './support/load.ts';
import { sampleUsage, type ProcessUsage } from './support/proc-stats.ts';
import { mb, times, type ScenarioResult } from './support/report.ts';
import { runIfMain, type Context, type Scenario } from './support/scenario.ts';

// One 1 GiB file uploaded through the gateway as a GraphQL multipart request (streamed
// from disk by node:http, never held in memory), against a direct `putObject` of the same
// file to the same bucket with the minio client. The gateway's and the documents
// subgraph's RSS is sampled every 100 ms during the upload. The file is text (the
// allowed types are sniffed), a random first line keeps it from being a duplicate.
//
//   node bench/upload.ts            BENCH_UPLOAD_BYTES=104857600 node bench/upload.ts

const SIZE = Number(process.env.BENCH_UPLOAD_BYTES ?? 1024 ** 3);
const MUTATION =
  'mutation Upload($file: Upload!) { uploadDocument(file: $file) { duplicate document { id sizeBytes } } }';

/** `size` bytes of text lines, written in blocks of 1 MiB. */
async function writeTextFile(file: string, size: number): Promise<void> {
  const lines = Array.from(
    { length: 24_000 },
    (_, n) => `${String(n).padStart(8, '0')} the quick brown fox jumps over the lazy dog\n`,
  );
  const block = Buffer.from(lines.join('')).subarray(0, 1024 * 1024);
  async function* blocks() {
    const first = Buffer.from(`docuvault bench ${randomBytes(16).toString('hex')}\n`);
    yield first;
    for (let written = first.length; written < size; written += block.length) {
      yield block.subarray(0, Math.min(block.length, size - written));
    }
  }
  await pipeline(Readable.from(blocks()), createWriteStream(file));
}

/** POSTs the file as a GraphQL multipart request; answers the parsed JSON. */
async function postMultipart(url: string, file: string, size: number): Promise<unknown> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const part = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    part('operations', JSON.stringify({ query: MUTATION, variables: { file: null } })) +
      part('map', '{"0":["variables.file"]}') +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="bench.txt"\r\n` +
      'Content-Type: text/plain\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const client = request(url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + tail.length),
      'apollo-require-preflight': 'true',
    },
  });
  const answered = new Promise<string>((resolve, reject) => {
    client.once('error', reject);
    client.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('end', () => resolve(text));
      response.once('error', reject);
    });
  });
  async function* body() {
    yield head;
    yield* createReadStream(file, { highWaterMark: 1024 * 1024 });
    yield tail;
  }
  await pipeline(Readable.from(body()), client);
  const text = await answered;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the gateway answered ${text.slice(0, 300)}`);
  }
}

const mbPerSecond = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const growth = (usage: ProcessUsage) => usage.peakRss - usage.idleRss;

export const upload: Scenario = {
  name: 'upload through the gateway',
  async run(context: Context): Promise<ScenarioResult> {
    const system = await context.system();
    const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-bench-upload-'));
    try {
      const file = path.join(dir, 'bench.txt');
      const warmup = path.join(dir, 'warmup.txt');
      context.say(`writing a ${mb(SIZE)} text file…`);
      await writeTextFile(file, SIZE);
      await writeTextFile(warmup, 8 * 1024 ** 2);

      const send = async (name: string) => {
        const result = (await postMultipart(system.gatewayUrl, name, SIZE)) as {
          data?: { uploadDocument?: { duplicate: boolean; document: { id: string; sizeBytes: number } } };
        };
        const uploaded = result.data?.uploadDocument;
        if (!uploaded || uploaded.duplicate) throw new Error(`upload failed: ${JSON.stringify(result)}`);
        return uploaded.document;
      };
      const remove = (id: string) =>
        graphql(system.gatewayUrl, 'mutation ($id: ID!) { deleteDocument(id: $id) }', { id });

      // A small upload first: connection pools, parsers and the S3 client warm.
      const small = (await postMultipart(system.gatewayUrl, warmup, 8 * 1024 ** 2)) as {
        data?: { uploadDocument?: { document: { id: string } } };
      };
      if (small.data?.uploadDocument) await remove(small.data.uploadDocument.document.id);

      context.say(`uploading ${mb(SIZE)} through the gateway…`);
      const usage = sampleUsage({ gateway: system.gateway.pid, documents: system.documents.pid });
      let t0 = performance.now();
      const document = await send(file);
      const gatewayMs = performance.now() - t0;
      const used = usage.stop();
      if (document.sizeBytes !== SIZE) throw new Error(`stored ${document.sizeBytes} bytes, not ${SIZE}`);
      await remove(document.id);

      context.say(`putObject of the same file straight to the bucket…`);
      const client = testS3Client();
      const key = `bench/put-object-${randomBytes(6).toString('hex')}.txt`;
      t0 = performance.now();
      await client.putObject(system.bucket.bucket, key, createReadStream(file), SIZE);
      const directMs = performance.now() - t0;
      await client.removeObject(system.bucket.bucket, key);

      const through = mbPerSecond(SIZE, gatewayMs);
      const direct = mbPerSecond(SIZE, directMs);
      const gateway = used.gateway!;
      const documents = used.documents!;
      const ratio = through / direct;
      return {
        rows: [
          {
            scenario: `upload through the gateway, ${mb(SIZE)}`,
            measured:
              `${through.toFixed(0)} MB/s; RSS growth gateway +${mb(growth(gateway))} (peak ${mb(gateway.peakRss)}), ` +
              `documents +${mb(growth(documents))} (peak ${mb(documents.peakRss)})`,
            reference: `\`putObject\` of the same file: ${direct.toFixed(0)} MB/s`,
            ratio: `${times(ratio)} throughput`,
            target: '≥ 0.7× throughput; RSS growth < 100 MB each',
            met: ratio >= 0.7 && growth(gateway) < 100e6 && growth(documents) < 100e6,
          },
        ],
        notes: [
          `upload: ${SIZE} bytes of text in ${(gatewayMs / 1000).toFixed(1)} s through the gateway ` +
            `(CPU: gateway ${gateway.cpuSeconds.toFixed(1)} s, documents ${documents.cpuSeconds.toFixed(1)} s), ` +
            `${(directMs / 1000).toFixed(1)} s by putObject from the bench process; MB = 10⁶ bytes; ` +
            'RSS growth = highest RSS sampled every 100 ms during the upload minus RSS just before it.',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

await runIfMain(upload, import.meta.url);
