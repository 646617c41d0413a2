// The forwarder's own metrics, served in Prometheus text on the admin listener's /metrics.
// One registry per process, created by the CLI and passed down: no global state, no import-time work.
// Label values come from closed sets (app names and sink names from config, fixed reason codes).
// Over 300 lines on purpose: this is the catalogue of the forwarder's own metrics, one declaration
// each with its name, help and labels, kept as one list to read and grep (docs/metrics.md is
// generated from it: src/dashboards/metric-reference.ts); splitting it by layer would only scatter the names.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface SelfMetrics {
  registry: Registry;
  ingressRequests: Counter<'app' | 'outcome' | 'reason'>;
  crcAnswers: Counter<'app' | 'outcome'>;
  ackSeconds: Histogram<'app'>;
  busWrites: Counter<never>;
  busWriteFailures: Counter<'reason'>;
  busCommitBatchSize: Histogram<never>;
  busDropped: Counter<'reason'>;
  busPending: Gauge<'consumer'>;
  busStoreBytes: Gauge<never>;
  busEventBytes: Gauge<never>;
  busDiskFreeBytes: Gauge<never>;
  busDeadLetters: Gauge<never>;
  busDeadLetterBytes: Gauge<never>;
  busDeadLettersTrimmed: Counter<'reason'>;
  sinkDelivered: Counter<'sink'>;
  sinkFailures: Counter<'sink' | 'reason'>;
  sinkDeadLettered: Counter<'sink' | 'reason'>;
  sinkBatchSeconds: Histogram<'sink'>;
  kafkaProduceSeconds: Histogram<never>;
  kafkaLateAcks: Counter<never>;
  spooled: Counter<'reason'>;
  spoolEvents: Gauge<never>;
  spoolAgeSeconds: Gauge<never>;
  consumerLag: Gauge<'sink' | 'partition'>;
  consumerCommits: Counter<'sink'>;
  consumerOffsetResets: Counter<'sink'>;
  consumerRebalances: Counter<'sink'>;
  pipelineRecords: Counter<'sink' | 'outcome'>;
  pipelineFieldsSkipped: Counter<'sink' | 'reason'>;
  pipelineSamples: Counter<'sink' | 'enrichment'>;
  sinkPointsDelivered: Counter<'sink'>;
  sinkPointsDropped: Counter<'sink' | 'reason'>;
  piiFieldsChanged: Counter<'sink'>;
  enrichmentLookups: Counter<'result'>;
  enrichmentEvictions: Counter<'reason'>;
  enrichmentParticipants: Gauge<never>;
  sinkRequests: Counter<'sink' | 'result'>;
  sinkRetries: Counter<'sink'>;
  sinkRequestSeconds: Histogram<'sink'>;
  sinkRequestItems: Histogram<'sink'>;
  sinkQueueItems: Gauge<'sink'>;
  configReloads: Counter<'result'>;
  configReloadOk: Gauge<never>;
  pipelineValuesCut: Counter<'sink' | 'attribute'>;
  enrichmentCacheBytes: Gauge<never>;
  listenerConnections: Gauge<'listener'>;
  listenerConnectionsClosed: Counter<'listener' | 'reason'>;
  replayCacheEntries: Gauge<never>;
  replayCacheEvictions: Counter<never>;
}

export function createSelfMetrics(options: { processMetrics: boolean }): SelfMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'qss_forwarder_' });
  const registers = [registry];
  return {
    registry,
    ingressRequests: new Counter({
      name: 'qss_forwarder_ingress_requests_total',
      help: 'Webhook requests answered, by Zoom app, outcome (accepted, duplicate: an exact replay of an accepted event, answered 200 and not stored again; crc, rejected, unavailable) and reason.',
      labelNames: ['app', 'outcome', 'reason'],
      registers,
    }),
    crcAnswers: new Counter({
      name: 'qss_forwarder_ingress_crc_total',
      help: 'endpoint.url_validation challenges, by app and outcome (answered, rejected).',
      labelNames: ['app', 'outcome'],
      registers,
    }),
    ackSeconds: new Histogram({
      name: 'qss_forwarder_ingress_ack_seconds',
      help: 'Time from the end of the request body to the 200 answer of an accepted event (includes the durable bus write).',
      labelNames: ['app'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    busWrites: new Counter({
      name: 'qss_forwarder_bus_writes_total',
      help: 'Events durably written to the bus.',
      registers,
    }),
    busWriteFailures: new Counter({
      name: 'qss_forwarder_bus_write_failures_total',
      help: 'Events the bus could not make durable, by reason (full, disk_low, closed, storage_error).',
      labelNames: ['reason'],
      registers,
    }),
    busCommitBatchSize: new Histogram({
      name: 'qss_forwarder_bus_commit_batch_events',
      help: 'Events per durable bus transaction (group commit).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    busDropped: new Counter({
      name: 'qss_forwarder_bus_dropped_total',
      help: 'Undelivered events deleted by a retention limit, by reason (max_age, max_size). Also logged.',
      labelNames: ['reason'],
      registers,
    }),
    busPending: new Gauge({
      name: 'qss_forwarder_bus_pending_events',
      help: 'Events on the bus not yet committed by a consumer (one consumer per sink).',
      labelNames: ['consumer'],
      registers,
    }),
    busStoreBytes: new Gauge({
      name: 'qss_forwarder_bus_store_bytes',
      help: 'Bytes used by the embedded bus store (live pages).',
      registers,
    }),
    busEventBytes: new Gauge({
      name: 'qss_forwarder_bus_event_bytes',
      help: 'Bytes of the events held in the embedded store (bodies + 64 bytes a row), compared with retention.max_size_mb; dead letters not included.',
      registers,
    }),
    busDiskFreeBytes: new Gauge({
      name: 'qss_forwarder_bus_disk_free_bytes',
      help: 'Free bytes for the embedded store: free space of its filesystem plus its own free pages (new events are refused below min_free_disk_mb).',
      registers,
    }),
    busDeadLetters: new Gauge({
      name: 'qss_forwarder_bus_dead_letters',
      help: 'Dead letters kept in the embedded store\'s dead_letters table (replay --from-dlq puts them back).',
      registers,
    }),
    busDeadLetterBytes: new Gauge({
      name: 'qss_forwarder_bus_dead_letter_bytes',
      help: 'Bytes of the dead letters kept (bodies + 64 bytes a row), compared with dead_letters.max_size_mb.',
      registers,
    }),
    busDeadLettersTrimmed: new Counter({
      name: 'qss_forwarder_bus_dead_letters_trimmed_total',
      help: 'Dead letters deleted by their own bounds, by reason (max_age, max_size).',
      labelNames: ['reason'],
      registers,
    }),
    sinkDelivered: new Counter({
      name: 'qss_forwarder_sink_events_delivered_total',
      help: 'Events delivered, by sink.',
      labelNames: ['sink'],
      registers,
    }),
    sinkFailures: new Counter({
      name: 'qss_forwarder_sink_failures_total',
      help: 'Failed delivery attempts, by sink and reason (retryable, permanent).',
      labelNames: ['sink', 'reason'],
      registers,
    }),
    sinkDeadLettered: new Counter({
      name: 'qss_forwarder_sink_dead_lettered_total',
      help: 'Events set aside in the dead-letter store, by sink and reason.',
      labelNames: ['sink', 'reason'],
      registers,
    }),
    sinkBatchSeconds: new Histogram({
      name: 'qss_forwarder_sink_batch_seconds',
      help: 'Time to deliver one batch to a sink, including retries.',
      labelNames: ['sink'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    kafkaProduceSeconds: new Histogram({
      name: 'qss_forwarder_kafka_produce_seconds',
      help: 'Time for one produce request (a batch of concurrent webhooks) to be acknowledged by Kafka.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    kafkaLateAcks: new Counter({
      name: 'qss_forwarder_kafka_late_acks_total',
      help: 'Records Kafka acknowledged after they had already been spooled for being slow (they will be in Kafka twice).',
      registers,
    }),
    spooled: new Counter({
      name: 'qss_forwarder_spool_writes_total',
      help: 'Events written to the local spool instead of Kafka, by reason (kafka_error, kafka_slow, kafka_unavailable, spooling).',
      labelNames: ['reason'],
      registers,
    }),
    spoolEvents: new Gauge({
      name: 'qss_forwarder_spool_events',
      help: 'Events in the local spool waiting to be drained to Kafka.',
      registers,
    }),
    spoolAgeSeconds: new Gauge({
      name: 'qss_forwarder_spool_age_seconds',
      help: 'Age of the oldest event in the local spool (0 when empty).',
      registers,
    }),
    consumerLag: new Gauge({
      name: 'qss_forwarder_consumer_lag_records',
      help: 'Records of the partition this sink has not finished yet: from the first record of the batch in hand (then from the last one delivered) to the end of the partition.',
      labelNames: ['sink', 'partition'],
      registers,
    }),
    consumerCommits: new Counter({
      name: 'qss_forwarder_consumer_commits_total',
      help: 'Offset commits by sink consumer group.',
      labelNames: ['sink'],
      registers,
    }),
    consumerOffsetResets: new Counter({
      name: 'qss_forwarder_consumer_offset_resets_total',
      help: 'Times a sink consumer group found its position already deleted by the topic\'s retention and went on from the oldest record kept: the records in between were never delivered to that sink (ZQ_ERR_RECORDS_EXPIRED). Alert on any increase.',
      labelNames: ['sink'],
      registers,
    }),
    consumerRebalances: new Counter({
      name: 'qss_forwarder_consumer_rebalances_total',
      help: 'Consumer group joins (each rebalance), by sink.',
      labelNames: ['sink'],
      registers,
    }),
    pipelineRecords: new Counter({
      name: 'qss_forwarder_pipeline_records_total',
      help: 'Bus records through a sink\'s pipeline, by outcome: event, points, no_points (routed, nothing to send), not_routed, rejected (dead-lettered).',
      labelNames: ['sink', 'outcome'],
      registers,
    }),
    pipelineFieldsSkipped: new Counter({
      name: 'qss_forwarder_pipeline_fields_skipped_total',
      help: 'QoS detail fields that gave no sample, by sink and reason (empty, unparseable, unit_mismatch, unmapped_field, malformed_item).',
      labelNames: ['sink', 'reason'],
      registers,
    }),
    pipelineSamples: new Counter({
      name: 'qss_forwarder_pipeline_samples_total',
      help: 'QoS samples normalized for a metric sink, by whether participant dimensions were joined (enriched, not_found, unkeyed).',
      labelNames: ['sink', 'enrichment'],
      registers,
    }),
    sinkPointsDelivered: new Counter({
      name: 'qss_forwarder_sink_points_delivered_total',
      help: 'Metric points delivered, by sink.',
      labelNames: ['sink'],
      registers,
    }),
    sinkPointsDropped: new Counter({
      name: 'qss_forwarder_sink_points_dropped_total',
      help: 'Metric points not sent, by sink and reason (cardinality_cap).',
      labelNames: ['sink', 'reason'],
      registers,
    }),
    piiFieldsChanged: new Counter({
      name: 'qss_forwarder_pii_fields_changed_total',
      help: 'Personal fields dropped or hashed in events, by sink.',
      labelNames: ['sink'],
      registers,
    }),
    enrichmentLookups: new Counter({
      name: 'qss_forwarder_enrichment_cache_lookups_total',
      help: 'Participant dimension cache lookups (one per participant per batch), by result (hit, miss).',
      labelNames: ['result'],
      registers,
    }),
    enrichmentEvictions: new Counter({
      name: 'qss_forwarder_enrichment_cache_evictions_total',
      help: 'Participants dropped from the dimension cache, by reason (capacity, ttl, memory).',
      labelNames: ['reason'],
      registers,
    }),
    enrichmentParticipants: new Gauge({
      name: 'qss_forwarder_enrichment_cache_participants',
      help: 'Participants held in the dimension cache.',
      registers,
    }),
    sinkRequests: new Counter({
      name: 'qss_forwarder_sink_requests_total',
      help: 'Requests to a sink backend, by result: success, or the failure reason (http_503, timeout, network_econnrefused, …).',
      labelNames: ['sink', 'result'],
      registers,
    }),
    sinkRetries: new Counter({
      name: 'qss_forwarder_sink_retries_total',
      help: 'Requests sent again after a failure, by sink.',
      labelNames: ['sink'],
      registers,
    }),
    sinkRequestSeconds: new Histogram({
      name: 'qss_forwarder_sink_request_seconds',
      help: 'One request to a sink backend: encode, compress, send, answer.',
      labelNames: ['sink'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    sinkRequestItems: new Histogram({
      name: 'qss_forwarder_sink_request_items',
      help: 'Items (metric points or events) per request, by sink.',
      labelNames: ['sink'],
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers,
    }),
    sinkQueueItems: new Gauge({
      name: 'qss_forwarder_sink_queue_items',
      help: 'Items of the batch in hand not yet delivered, by sink (stays up while a backend is failing).',
      labelNames: ['sink'],
      registers,
    }),
    configReloads: new Counter({
      name: 'qss_forwarder_config_reloads_total',
      help: 'sinks.yaml reloads, by result (applied, rejected: invalid file, the old config kept).',
      labelNames: ['result'],
      registers,
    }),
    configReloadOk: new Gauge({
      name: 'qss_forwarder_config_last_reload_ok',
      help: '1 when the last sinks.yaml (re)load was applied, 0 when it was rejected.',
      registers,
    }),
    pipelineValuesCut: new Counter({
      name: 'qss_forwarder_pipeline_attribute_values_cut_total',
      help: 'Values from Zoom bodies cut to worker.max_attribute_value_chars before they became attributes or enrichment cache entries, by sink and attribute name.',
      labelNames: ['sink', 'attribute'],
      registers,
    }),
    enrichmentCacheBytes: new Gauge({
      name: 'qss_forwarder_enrichment_cache_bytes',
      help: 'Estimated bytes held by the participant dimension cache (enrichment.max_cache_mb bounds it).',
      registers,
    }),
    listenerConnections: new Gauge({
      name: 'qss_forwarder_listener_connections',
      help: 'Open connections, by listener (webhook, admin); capped by server.max_connections and admin.max_connections.',
      labelNames: ['listener'],
      registers,
    }),
    listenerConnectionsClosed: new Counter({
      name: 'qss_forwarder_listener_connections_closed_total',
      help: 'Connections the forwarder closed itself, by listener and reason (refused_at_cap: every slot busy; idle_shed: the longest-idle one, to make room; linger_expired: still sending after its last answer; shutdown: still open at the end of the drain).',
      labelNames: ['listener', 'reason'],
      registers,
    }),
    replayCacheEntries: new Gauge({
      name: 'qss_forwarder_ingress_replay_cache_entries',
      help: 'Signatures of accepted events remembered to answer an exact replay without storing it again.',
      registers,
    }),
    replayCacheEvictions: new Counter({
      name: 'qss_forwarder_ingress_replay_cache_evictions_total',
      help: 'Remembered signatures dropped before their replay window ended because the cache was full (server.replay_cache_max_entries): a replay of those would be stored again.',
      registers,
    }),
  };
}
