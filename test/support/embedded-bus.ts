// The embedded bus in unit tests: a config with quick polling and no timed retention unless asked,
// and an open that fails the test with the store's own message.
import { openEmbeddedBus, type EmbeddedBus, type EmbeddedBusDeps } from '../../src/bus/embedded/embedded-bus.ts';
import type { EmbeddedBusConfig } from '../../src/bus/embedded/embedded-bus-config.ts';

export interface TestBusOverrides extends Partial<Omit<EmbeddedBusConfig, 'retention' | 'dead_letters'>> {
  retention?: Partial<EmbeddedBusConfig['retention']>;
  dead_letters?: Partial<EmbeddedBusConfig['dead_letters']>;
}

export function testBusConfig(path: string, over: TestBusOverrides = {}): EmbeddedBusConfig {
  return {
    path,
    max_commit_events: 64,
    poll_interval_ms: 20,
    min_free_disk_mb: 0,
    ...over,
    retention: { interval_ms: 3600000, max_age_hours: 168, max_size_mb: 1024, on_full: 'reject', retired_consumer_hours: 24, ...over.retention },
    dead_letters: { max_age_hours: 720, max_size_mb: 256, ...over.dead_letters },
  };
}

export function openTestBus(deps: EmbeddedBusDeps): EmbeddedBus {
  const opened = openEmbeddedBus(deps);
  if (!opened.ok) throw new Error(`${opened.problem.code}: ${opened.problem.message}`);
  return opened.bus;
}
