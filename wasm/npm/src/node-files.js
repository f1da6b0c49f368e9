// Local files for the Node entry: read with positioned reads into 1 MiB chunks, in
// whichever thread hashes them (a path crosses to a worker; a file-backed Blob cannot).

import { open } from 'node:fs/promises';
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

/** Opens an `fsPath` source as a ReadableStream of chunks. */
export async function openPath(source) {
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
