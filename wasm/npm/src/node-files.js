// Local files for the Node entry: read with positioned reads into 1 MiB chunks, in
// whichever thread hashes them (a path crosses to a worker; a file-backed Blob cannot).

import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { SOURCE } from './inputs.js';

const CHUNK = 1 << 20;

/** A file on disk, as a model file's content. */
export class LocalFile {
  /**
   * @param {string} file absolute path
   * @param {number} size its length when listed (checked when hashed)
   */
  constructor(file, size) {
    this.file = file;
    this.size = size;
  }

  [SOURCE]() {
    return { source: { kind: 'fsPath', file: this.file }, size: this.size };
  }
}

/**
 * Opens an `fsPath` source as a stream of chunks. In a worker, reads are synchronous into
 * one reused buffer, each when the previous chunk has been handed to wasm (which copies
 * it): no thread-pool hop, allocation or read-ahead per chunk, which cost a fifth of the
 * hashing speed of BLAKE3 on two cores. The calling thread of an application is not
 * blocked: there reads go through the thread pool.
 */
export async function openPath(source) {
  return isMainThread ? openPathAsync(source) : openPathSync(source);
}

function openPathSync(source) {
  const fd = openSync(source.file, 'r');
  const buf = new Uint8Array(CHUNK);
  let position = 0;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      closeSync(fd);
    }
  };
  const reader = {
    async read() {
      if (closed) return { done: true, value: undefined };
      let n;
      try {
        n = readSync(fd, buf, 0, CHUNK, position);
      } catch (e) {
        close();
        throw e;
      }
      if (n === 0) {
        close();
        return { done: true, value: undefined };
      }
      position += n;
      return { done: false, value: buf.subarray(0, n) };
    },
    async cancel() {
      close();
    },
  };
  return { stream: { getReader: () => reader }, size: undefined };
}

async function openPathAsync(source) {
  const fh = await open(source.file, 'r');
  let position = 0;
  const stream = new ReadableStream(
    {
      async pull(controller) {
        try {
          const buf = new Uint8Array(CHUNK);
          const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
          if (bytesRead === 0) {
            await fh.close();
            controller.close();
            return;
          }
          position += bytesRead;
          controller.enqueue(buf.subarray(0, bytesRead));
        } catch (e) {
          await fh.close().catch(() => {});
          controller.error(e);
        }
      },
      async cancel() {
        await fh.close().catch(() => {});
      },
    },
    { highWaterMark: 2 },
  );
  return { stream, size: undefined };
}

export const openers = { fsPath: openPath };
