// The connections of one listener (webhook or admin), from accept to close:
//  - A cap (Node's maxConnections). When a new connection takes the last slot, the connection that
//    has gone longest without a request in progress is closed, so a crowd of idle connections
//    (never sending, or kept alive and silent) cannot lock real clients out. With every slot busy,
//    Node closes new connections at once. Either way the descriptors left to the process (store,
//    sinks, config reloads) never run out because of clients.
//  - A lingering close. After a connection's last answer (Connection: close) Node calls
//    socket.destroySoon(), which destroys the socket as soon as the answer is flushed. With request
//    bytes still unread (a 413 sent before the body), the kernel then answers with RST, and a client
//    still uploading loses the answer it had not read yet. Here the socket is half-closed instead
//    (FIN after the answer), and what the client still sends is read and discarded until it closes
//    its side, for at most LINGER_MS and LINGER_MAX_BYTES; then it is destroyed.
//  - A drain for shutdown: stop accepting; answer what is in flight, and whatever still arrives on
//    open connections, with Connection: close; close idle keep-alive connections only after drainMs
//    (a request already on its way on one is answered, not reset), and what is still open after
//    graceMs more.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { SelfMetrics } from '../observability/self-metrics.ts';

export type ListenerName = 'webhook' | 'admin';

export interface ConnectionOptions {
  listener: ListenerName;
  maxConnections: number;
  metrics: SelfMetrics;
  /** An HTTPS server: its requests arrive on the TLS socket of 'secureConnection'. */
  secure?: boolean;
  now?: () => number;
}

export interface DrainOptions {
  /** How long idle connections stay open for a request that may already be on its way. */
  drainMs: number;
  /** Then how long requests still in progress get before their connections are destroyed. */
  graceMs: number;
}

export interface TrackedConnections {
  open(): number;
  /** Stops accepting and closes every connection as described above; resolves once all are closed. */
  close(options: DrainOptions): Promise<void>;
}

/**
 * The bounds of a lingering close. A client that reads its answer closes within a round trip; one
 * that goes on uploading is given about what a well-behaved client needs to notice the answer (Apache
 * lingers 2 s) and never more than a few bodies' worth of bytes, so lingering cannot be used to make
 * the process read without end.
 */
const LINGER_MS = 2000;
const LINGER_MAX_BYTES = 4 * 1024 * 1024;
const LINGER_CHECK_MS = 100;

interface Connection {
  socket: Socket;
  /** When the connection last had no request in progress (opened, or its last answer finished). */
  idleSince: number;
  inFlight: number;
  /** Its last answer was sent: it is lingering until the client closes. */
  closing: boolean;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export function trackConnections(server: Server, options: ConnectionOptions): TrackedConnections {
  const { listener, metrics } = options;
  const now = options.now ?? Date.now;
  const connections = new Map<Socket, Connection>();
  const responses = new Set<ServerResponse>();
  const gauge = metrics.listenerConnections.labels(listener);
  const closedBy = (reason: 'refused_at_cap' | 'idle_shed' | 'linger_expired' | 'shutdown') => metrics.listenerConnectionsClosed.labels(listener, reason);
  let draining = false;
  gauge.set(0);

  server.maxConnections = options.maxConnections;
  server.on('drop', () => closedBy('refused_at_cap').inc());

  const lingeringClose = (c: Connection): void => {
    const { socket } = c;
    c.closing = true;
    if (socket.destroyed) return;
    socket.end();
    const destroyWhenFlushed = (): void => {
      if (socket.writableFinished) socket.destroy();
      else socket.once('finish', () => socket.destroy());
    };
    if (socket.readableEnded) return destroyWhenFlushed();
    const readAtStart = socket.bytesRead;
    const deadline = now() + LINGER_MS;
    const timer = setInterval(() => {
      if (socket.bytesRead - readAtStart <= LINGER_MAX_BYTES && now() < deadline) return;
      closedBy('linger_expired').inc();
      socket.destroy();
    }, LINGER_CHECK_MS).unref();
    socket.once('end', destroyWhenFlushed);
    socket.once('close', () => clearInterval(timer));
  };

  /** Makes room for a newcomer that took the last slot: closes the connection idle longest. */
  const shedIdle = (newcomer: Connection): void => {
    let longest: Connection | undefined;
    for (const c of connections.values()) {
      if (c === newcomer || c.inFlight > 0 || c.closing) continue;
      if (longest === undefined || c.idleSince < longest.idleSince) longest = c;
    }
    if (longest === undefined) return;
    closedBy('idle_shed').inc();
    longest.socket.destroy();
  };

  server.on(options.secure === true ? 'secureConnection' : 'connection', (socket: Socket) => {
    const c: Connection = { socket, idleSince: now(), inFlight: 0, closing: false };
    connections.set(socket, c);
    gauge.set(connections.size);
    // Node ends a connection after its last answer with destroySoon(): linger instead.
    socket.destroySoon = () => lingeringClose(c);
    socket.once('close', () => {
      connections.delete(socket);
      gauge.set(connections.size);
    });
    if (connections.size >= options.maxConnections) shedIdle(c);
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const c = connections.get(req.socket as Socket);
    if (c === undefined) return;
    if (c.closing) {
      // Pipelined after the connection's last answer: it cannot be answered, so it is not handled.
      req.socket.destroy();
      return;
    }
    c.inFlight++;
    responses.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      c.inFlight--;
      c.idleSince = now();
      responses.delete(res);
    });
  };
  // Before the app's own listeners, so that a drain can still mark the answer.
  server.prependListener('request', onRequest);
  if (server.listenerCount('checkContinue') > 0) server.prependListener('checkContinue', onRequest);

  return {
    open: () => connections.size,
    async close({ drainMs, graceMs }) {
      draining = true;
      for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
      // net.Server's close, not http.Server's: that one also destroys idle keep-alive connections at
      // once, resetting a request already on its way on one of them.
      const allClosed = new Promise<boolean>((resolve) => NetServer.prototype.close.call(server, () => resolve(true)));
      if (await Promise.race([allClosed, delay(drainMs).then(() => false)])) return;
      for (const c of connections.values()) {
        if (c.inFlight > 0 || c.closing) continue;
        closedBy('shutdown').inc();
        c.socket.destroy();
      }
      if (await Promise.race([allClosed, delay(graceMs).then(() => false)])) return;
      for (const c of connections.values()) {
        closedBy('shutdown').inc();
        c.socket.destroy();
      }
      await allClosed;
    },
  };
}
