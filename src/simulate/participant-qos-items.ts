// The `qos[]` arrays of meeting.participant_qos (one aggregated record per minute) and
// meeting.participant_qos_summary, with values formatted the way Zoom formats them (Zoom README §2.2,
// §2.3, §2.7): "63 kbps", "134 ms", "0.03%", "1280*720", "24 fps", "12%". Pure.
import type { SeededRandom } from './seeded-random.ts';
import type { SimulatedMeeting, SimulatedParticipant } from './simulated-participant.ts';

export interface RealtimeQosItem { date_time: string; type: string; details: Record<string, string> }
export interface SummaryQosItem { type: string; details: Record<string, string | number> }

interface Network { latency: number; jitter: number; avgLoss: number; maxLoss: number }
interface MediaStream { kind: 'audio' | 'video' | 'as'; type: string; active: boolean; kbps: [number, number]; resolutions: readonly string[]; fps: [number, number] }

const kbps = (value: number, decimals = 0): string => `${value.toFixed(decimals)} kbps`;
const ms = (value: number): string => `${Math.round(value)} ms`;
const fps = (value: number): string => `${Math.round(value)} fps`;
const percent = (value: number): string =>
  value <= 0 ? '0.0%' : value < 0.1 ? `${value.toFixed(2)}%` : `${value.toFixed(1)}%`;

function mediaStreams(meeting: SimulatedMeeting, participant: SimulatedParticipant): MediaStream[] {
  const streams: MediaStream[] = [
    { kind: 'audio', type: 'audio_input', active: true, kbps: [20, 75], resolutions: [], fps: [0, 0] },
    { kind: 'audio', type: 'audio_output', active: true, kbps: [12, 60], resolutions: [], fps: [0, 0] },
    { kind: 'video', type: 'video_input', active: true, kbps: [300, 1900], resolutions: ['640*360', '1280*720', '1280*720', '1920*1080'], fps: [10, 30] },
    { kind: 'video', type: 'video_output', active: participant.cameraOn, kbps: [250, 1500], resolutions: ['640*360', '1280*720'], fps: [12, 30] },
    { kind: 'as', type: participant.presenter ? 'as_output' : 'as_input', active: true, kbps: [40, 420], resolutions: ['1920*1080', '2560*1440', '1440*900'], fps: [2, 16] },
  ];
  return meeting.hasScreenShare ? streams : streams.filter((s) => s.kind !== 'as');
}

function sampleNetwork(random: SeededRandom, participant: SimulatedParticipant): Network {
  const spike = random.chance(0.04) ? random.float(2, 6) : 1;
  const latency = random.around(participant.baseLatencyMs, participant.baseLatencyMs * 0.15, 1, 3000) * (spike > 1 ? 1.5 : 1);
  const jitter = random.around(participant.baseJitterMs, participant.baseJitterMs * 0.6 + 1, 0, 500) * spike;
  const avgLoss = Math.min(100, random.around(participant.baseLossPct, participant.baseLossPct * 0.8, 0, 100) * spike);
  const maxLoss = avgLoss === 0 ? 0 : Math.min(100, avgLoss * random.float(1.5, 8));
  const degradation = participant.degradation;
  if (degradation !== undefined && random.chance(degradation.burstChance)) {
    // A loss burst: this minute's record shows heavy loss and jitter (degraded participants only).
    const burst = random.float(8, 30);
    return {
      latency: Math.min(3000, latency * random.float(1.1, 1.6)),
      jitter: Math.min(500, jitter * random.float(1.5, 3)),
      avgLoss: burst,
      maxLoss: Math.min(100, burst * random.float(1.4, 2.8)),
    };
  }
  return { latency, jitter, avgLoss, maxLoss };
}

function qualityOf(random: SeededRandom, net: Network): Record<string, string> {
  const score = Math.min(4.5, Math.max(1, random.float(4.3, 4.6) - net.avgLoss * 0.45 - Math.max(0, net.latency - 150) / 120 - net.jitter / 45));
  const quality = score >= 3.5 ? 'good' : score >= 3 ? 'fair' : score >= 2.5 ? 'poor' : 'bad';
  return { quality, quality_score: score.toFixed(2) };
}

function cpuDetails(random: SeededRandom, participant: SimulatedParticipant): Record<string, string> {
  const avg = Math.round(random.around(participant.baseCpuPct, participant.baseCpuPct * 0.3, 1, 95));
  const min = Math.max(0, avg - random.int(1, Math.max(1, Math.floor(avg / 2))));
  const max = Math.min(100, avg + random.int(2, 20));
  const system = Math.min(100, max + random.int(8, 45));
  const level = (pct: number): string => (pct < 30 ? 'normal' : pct < 60 ? 'fair' : pct < 85 ? 'serious' : 'critical');
  return {
    zoom_min_cpu_usage: `${min}%`,
    zoom_avg_cpu_usage: `${avg}%`,
    zoom_max_cpu_usage: `${max}%`,
    system_max_cpu_usage: `${system}%`,
    system_min_cpu_pressure_level: level(Math.max(0, system - 35)),
    system_avg_cpu_pressure_level: level(Math.max(0, system - 15)),
    system_max_cpu_pressure_level: level(system),
  };
}

/** One minute's aggregated record for one participant. */
export function participantQosItems(
  random: SeededRandom,
  meeting: SimulatedMeeting,
  participant: SimulatedParticipant,
  dateTime: string,
): RealtimeQosItem[] {
  const net = sampleNetwork(random, participant);
  const slow = participant.degradation?.bitrateFactor ?? 1;
  const choppy = participant.degradation === undefined ? 1 : 0.5;
  const items: RealtimeQosItem[] = [];
  const add = (type: string, details: Record<string, string>): void => {
    items.push({ date_time: dateTime, type, details });
  };
  for (const s of mediaStreams(meeting, participant)) {
    if (!s.active) {
      add(s.type, { bitrate: kbps(0), latency: ms(0), jitter: ms(0), avg_loss: percent(0), max_loss: percent(0), resolution: '', frame_rate: fps(0) });
      continue;
    }
    const rate = random.around((s.kbps[0] + s.kbps[1]) / 2, (s.kbps[1] - s.kbps[0]) / 2, s.kbps[0], s.kbps[1]) * slow;
    const details: Record<string, string> = {
      bitrate: kbps(rate, s.kind === 'audio' && random.chance(0.3) ? 2 : 0),
      latency: ms(net.latency * random.float(0.92, 1.08)),
      jitter: ms(net.jitter * random.float(0.8, 1.2)),
      avg_loss: percent(net.avgLoss),
      max_loss: percent(net.maxLoss),
    };
    if (s.kind !== 'audio') {
      details.resolution = random.pick(s.resolutions);
      details.frame_rate = fps(random.around((s.fps[0] + s.fps[1]) / 2 + 3, (s.fps[1] - s.fps[0]) / 2, s.fps[0], s.fps[1]) * choppy);
    }
    add(s.type, details);
  }
  add('cpu_usage', cpuDetails(random, participant));
  add('audio_quality', qualityOf(random, net));
  if (participant.cameraOn) add('video_quality', qualityOf(random, { ...net, avgLoss: net.avgLoss * 1.3 }));
  if (participant.networkType === 'Wifi') {
    const avg = random.int(-72, -42);
    add('wifi_rssi', { min_rssi: String(avg - random.int(2, 12)), avg_rssi: String(avg), max_rssi: String(Math.min(-30, avg + random.int(2, 10))), rssi_unit: 'dBm' });
  }
  if (net.avgLoss > 2 || net.jitter > 40) {
    add('notification', { network_notification: net.avgLoss > 2 ? 'internet connection unstable' : 'network bandwidth low' });
  }
  return items;
}

/** Whole-meeting min/avg/max per type, sent once when the participant leaves. No date_time here. */
export function participantQosSummaryItems(random: SeededRandom, meeting: SimulatedMeeting, participant: SimulatedParticipant): SummaryQosItem[] {
  const triple = (avg: number, format: (v: number) => string, cap = Infinity): [string, string, string] => [
    format(avg * random.float(0.2, 0.8)),
    format(avg),
    format(Math.min(cap, avg * random.float(1.2, 3))),
  ];
  const items: SummaryQosItem[] = [];
  const slow = participant.degradation?.bitrateFactor ?? 1;
  for (const s of mediaStreams(meeting, participant)) {
    const on = s.active ? 1 : 0;
    const [minB, avgB, maxB] = triple(on * random.float(s.kbps[0], s.kbps[1]) * slow, (v) => kbps(v));
    const [minL, avgL, maxL] = triple(on * participant.baseLatencyMs, ms);
    const [minJ, avgJ, maxJ] = triple(on * participant.baseJitterMs, ms);
    const avgLoss = on * participant.baseLossPct;
    const details: Record<string, string> = {
      min_bitrate: minB, avg_bitrate: avgB, max_bitrate: maxB,
      min_latency: minL, avg_latency: avgL, max_latency: maxL,
      min_jitter: minJ, avg_jitter: avgJ, max_jitter: maxJ,
      min_loss: percent(0), avg_loss: percent(avgLoss), max_loss: percent(Math.min(100, avgLoss * random.float(2, 20))),
    };
    if (s.kind !== 'audio') {
      const [minF, avgF, maxF] = triple(on * random.float(s.fps[0], s.fps[1]), fps, 30);
      Object.assign(details, { resolution: s.active ? random.pick(s.resolutions) : '', min_frame_rate: minF, avg_frame_rate: avgF, max_frame_rate: maxF });
    }
    items.push({ type: s.type, details });
  }
  const cpu = Object.entries(cpuDetails(random, participant)).filter(([key]) => !key.endsWith('_pressure_level'));
  items.push({ type: 'cpu_usage', details: Object.fromEntries(cpu) });
  const base: Network = { latency: participant.baseLatencyMs, jitter: participant.baseJitterMs, avgLoss: participant.baseLossPct, maxLoss: 0 };
  items.push({ type: 'audio_quality', details: qualityOf(random, base) });
  if (participant.networkType === 'Wifi') {
    const avg = random.int(-70, -45);
    // Summary events carry RSSI as integers, unlike the real-time ones (Zoom README §2.3).
    items.push({ type: 'wifi_rssi', details: { min_rssi: avg - random.int(3, 15), avg_rssi: avg, max_rssi: Math.min(-30, avg + random.int(3, 12)), rssi_unit: 'dBm' } });
  }
  return items;
}
