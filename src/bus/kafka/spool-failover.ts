// Where the ingress's events go while Kafka is away: the state machine between publishing
// straight to Kafka (direct) and into the local durable spool (the embedded bus; spooling). A
// produce that fails or is not acknowledged within ack_timeout_ms turns it to spooling: that batch
// and whatever queued behind it go to the spool, and while anything is spooled, new events are
// spooled too (keeping order). The drain (spool-drain.ts) sends the spool to Kafka in order; when
// it is empty and no spool write is on its way, publishing goes straight to Kafka again.
import type { Logger } from 'pino';
import type { SelfMetrics } from '../../observability/self-metrics.ts';
import type { BusHealth, PublishOutcome, PublishRequest } from '../bus.ts';
import type { EmbeddedBus } from '../embedded/embedded-bus.ts';

export const SPOOL_DRAIN_CONSUMER = 'kafka-drain';

/** A publish waiting for its outcome. */
export interface PendingPublish {
  request: PublishRequest;
  resolve: (outcome: PublishOutcome) => void;
}

export interface SpoolFailoverDeps {
  spool: EmbeddedBus;
  log: Logger;
  metrics: SelfMetrics;
  now: () => number;
  /** The publishes queued for Kafka and not sent yet: they go to the spool first when spooling starts. */
  takeQueued: () => PendingPublish[];
}

export interface SpoolFailover {
  mode(): 'direct' | 'spooling';
  /** Into the spool, counted by `reason` (qss_forwarder_spooled_total). */
  toSpool(request: PublishRequest, reason: string): Promise<PublishOutcome>;
  /** Each into the spool, in order; each is answered with its own outcome. */
  spoolAll(batch: readonly PendingPublish[], reason: string): void;
  /** Kafka failed or was slow: spool from now on (the queued publishes first). */
  enterSpooling(reason: string): void;
  /** The drain sent `done` more of the spool: direct again once nothing else is spooled. */
  drained(done: number): void;
  health(): BusHealth;
}

export function createSpoolFailover(deps: SpoolFailoverDeps): SpoolFailover {
  const { spool, log, metrics, now } = deps;
  let mode: 'direct' | 'spooling' = spool.backlog(SPOOL_DRAIN_CONSUMER).events > 0 ? 'spooling' : 'direct';
  let spoolingSince = mode === 'spooling' ? now() : 0;
  let spoolWritesInFlight = 0;

  const toSpool = async (request: PublishRequest, reason: string): Promise<PublishOutcome> => {
    spoolWritesInFlight++;
    try {
      const outcome = await spool.publish(request);
      if (outcome.ok) metrics.spooled.inc({ reason });
      return outcome;
    } finally {
      spoolWritesInFlight--;
    }
  };

  const spoolAll = (batch: readonly PendingPublish[], reason: string): void => {
    for (const p of batch) void toSpool(p.request, reason).then(p.resolve);
  };

  return {
    mode: () => mode,
    toSpool,
    spoolAll,
    enterSpooling(reason) {
      if (mode === 'spooling') return;
      mode = 'spooling';
      spoolingSince = now();
      log.warn({ reason }, 'Kafka unavailable or slow: spooling events to the local store; Zoom still gets 200');
      // Records still waiting for their produce request go to the spool now, ahead of later ones.
      spoolAll(deps.takeQueued(), 'spooling');
    },
    drained(done) {
      if (spool.backlog(SPOOL_DRAIN_CONSUMER).events - done <= 0 && spoolWritesInFlight === 0 && mode === 'spooling') {
        mode = 'direct';
        log.info({ spooled_for_ms: now() - spoolingSince }, 'Kafka is back: spool drained, publishing directly again');
      }
    },
    health() {
      const spoolHealth = spool.health();
      if (!spoolHealth.ready) return { ready: false, detail: `Kafka spool: ${spoolHealth.detail}` };
      if (mode === 'direct') return { ready: true, detail: 'ok' };
      const b = spool.backlog(SPOOL_DRAIN_CONSUMER);
      return { ready: true, degraded: true, detail: `spooling: ${b.events} events in the local spool until Kafka is back` };
    },
  };
}
