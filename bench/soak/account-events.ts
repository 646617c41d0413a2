// The accounting of a soak run: every event the simulator saw acknowledged, at every sink —
// delivered, dead-lettered (with the reason) or missing — plus duplicates. Pure.
//
// Identities (docs/simulate.md): an event is `event|instance|participant|event_ts`. Event sinks
// hold bodies, so the key is read from the body. Metric sinks hold points, which carry the sample's
// time in whole seconds (qos date_time, or event_ts for summaries): a QoS event counts as delivered
// to a metric sink when a point with its event, instance, participant and second arrived.
// phone.call_qos_summary has no single participant: matched without it.

export interface SinkObservation {
  name: string;
  kind: 'events' | 'metrics';
  /** Key → times received. Event sinks: the keys of the bodies received. Metric sinks: point keys `event|instance|participant|second`. */
  received: ReadonlyMap<string, number>;
  /** Keys dead-lettered by this sink, with the reason. */
  deadLettered: { key: string; reason: string }[];
  /** How this sink spells an event key (Datadog lower-cases and sanitises tag values). */
  spell?: (eventKey: string) => string;
}

export interface SinkAccount {
  sink: string;
  kind: 'events' | 'metrics';
  expected: number;
  delivered: number;
  deadLettered: Record<string, number>;
  missing: number;
  missingKeys: string[];
  /** Event sinks: events received more than once. */
  duplicates: number;
}

const isQos = (key: string): boolean => /_qos(_summary)?\|/.test(key.split('|')[0] + '|');

/** An event key as a metric-point key: event|instance|participant|second (participant dropped for phone summaries). */
export function pointKeyOf(eventKey: string): string {
  const [event, instance, participant, ts] = eventKey.split('|');
  const second = Math.floor(Number(ts) / 1000);
  return event === 'phone.call_qos_summary' ? `${event}|${instance}||${second}` : `${event}|${instance}|${participant}|${second}`;
}

/** Counts one more arrival of `key`. */
export function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export function accountEvents(acked: readonly string[], sinks: readonly SinkObservation[]): SinkAccount[] {
  return sinks.map((sink) => {
    const expected = sink.kind === 'metrics' ? acked.filter(isQos) : [...acked];
    const spell = sink.spell ?? ((k: string) => k);
    const toKey = sink.kind === 'metrics' ? (k: string) => pointKeyOf(spell(k)) : spell;
    const received = sink.received;
    const dead = new Map<string, string>();
    for (const d of sink.deadLettered) dead.set(toKey(d.key), d.reason);
    const account: SinkAccount = { sink: sink.name, kind: sink.kind, expected: expected.length, delivered: 0, deadLettered: {}, missing: 0, missingKeys: [], duplicates: 0 };
    for (const key of expected) {
      const k = toKey(key);
      if ((received.get(k) ?? 0) > 0) {
        account.delivered++;
        if (sink.kind === 'events' && (received.get(k) ?? 0) > 1) account.duplicates++;
      } else if (dead.has(k)) {
        const reason = dead.get(k) as string;
        account.deadLettered[reason] = (account.deadLettered[reason] ?? 0) + 1;
      } else {
        account.missing++;
        if (account.missingKeys.length < 20) account.missingKeys.push(key);
      }
    }
    return account;
  });
}
