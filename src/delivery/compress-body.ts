// Request body compression for the HTTP sinks (off the event loop: zlib's thread pool).
import { promisify } from 'node:util';
import { deflate, gzip } from 'node:zlib';

export type Compression = 'none' | 'gzip' | 'deflate';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

export async function compressBody(body: Buffer, compression: Compression): Promise<Buffer> {
  if (compression === 'gzip') return gzipAsync(body);
  if (compression === 'deflate') return deflateAsync(body);
  return body;
}

/** The Content-Encoding header for a compression, or undefined for none. */
export function contentEncoding(compression: Compression): string | undefined {
  return compression === 'none' ? undefined : compression;
}
