// How many connections each listener may hold, so that clients can never take the descriptors the
// process needs for itself. Pure: the open-file limit is read by the caller (/proc/self/limits).
import { StartupError } from '../errors.ts';

/**
 * Descriptors kept out of the listeners' reach. A running `serve` holds about 30 (stdio, epoll and
 * event fds, the pipes of the TypeScript loader, the store's database, WAL and shared-memory
 * files); each HTTP sink keeps up to 8 connections to its backend, a file sink one file, Kafka one
 * or two sockets per broker, and a reload opens the sinks of the new config before it closes the
 * old ones. 128 leaves room for a dozen sinks during a reload.
 */
export const RESERVED_DESCRIPTORS = 128;
/** Below this the webhook listener would refuse ordinary traffic: refuse to start instead. */
const MIN_WEBHOOK_CONNECTIONS = 16;

export interface ConnectionCaps {
  webhook: number;
  admin: number;
  /** Set when server.max_connections had to be lowered to fit the open-file limit. */
  lowered?: { configured: number; openFileLimit: number };
}

/** The soft "Max open files" limit from the text of /proc/self/limits. */
export function parseOpenFileLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (match === null || match[1] === 'unlimited') return undefined;
  return Number(match[1]);
}

export function connectionCaps(configured: { webhook: number; admin: number }, openFileLimit: number | undefined): ConnectionCaps {
  if (openFileLimit === undefined) return { webhook: configured.webhook, admin: configured.admin };
  const room = openFileLimit - RESERVED_DESCRIPTORS - configured.admin;
  if (room < MIN_WEBHOOK_CONNECTIONS) {
    throw new StartupError(
      `the open-file limit is ${openFileLimit} descriptors: too few for ${RESERVED_DESCRIPTORS} kept for the store and sinks, admin.max_connections (${configured.admin}) and at least ${MIN_WEBHOOK_CONNECTIONS} webhook connections (server.max_connections); raise it (ulimit -n, systemd LimitNOFILE, docker --ulimit nofile) to at least ${RESERVED_DESCRIPTORS + configured.admin + MIN_WEBHOOK_CONNECTIONS}, or lower admin.max_connections`,
    );
  }
  if (configured.webhook <= room) return { webhook: configured.webhook, admin: configured.admin };
  return { webhook: room, admin: configured.admin, lowered: { configured: configured.webhook, openFileLimit } };
}
