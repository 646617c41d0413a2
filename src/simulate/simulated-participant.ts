// Who is in the simulated meetings: stable, seed-derived identities and per-participant network and
// device profiles. Pure: the same (seed, meeting index, participant index) always gives the same result.
// Addresses come from documentation ranges (RFC 5737, RFC 7042), e-mails from example.com.
import { createSeededRandom, mixSeed, type SeededRandom } from './seeded-random.ts';

export const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface SimulatedMeeting {
  /** Meeting instance UUID: 22 base64 characters + "==" (may contain "/" and "+", like Zoom's). */
  uuid: string;
  /** Meeting number, as a string of digits. */
  id: string;
  /** Participant 0 shares a screen in this meeting: it sends as_output, everyone else receives as_input. */
  hasScreenShare: boolean;
}

export type NetworkType = 'Wired' | 'Wifi' | 'Cellular';

/** A degraded participant (`simulate --degraded`): low bitrate and minutes with loss bursts. */
export interface Degradation {
  /** Multiplies every media bitrate (and halves frame rates). */
  bitrateFactor: number;
  /** Chance per one-minute record of a loss burst (8–30 % loss, jitter ×1.5–3). */
  burstChance: number;
}

export interface SimulatedParticipant {
  /** Per-meeting participant ID (`user_id` in qos, `participant_id` elsewhere). */
  participantId: string;
  /** Zoom user UUID; "" for external (not signed-in) participants. */
  participantUserId: string;
  email: string;
  userName: string;
  networkType: NetworkType;
  cameraOn: boolean;
  presenter: boolean;
  /** Baselines that the per-minute samples vary around. */
  baseLatencyMs: number;
  baseJitterMs: number;
  baseLossPct: number;
  baseCpuPct: number;
  /** The `data[]` item of participant_data (all values strings, as Zoom sends them). */
  data: Record<string, string>;
  /** Extra fields that only participant_data_summary carries. */
  deviceDetail: string;
  client: string;
  /** Present only for degraded participants; absent, the generators behave exactly as before. */
  degradation?: Degradation;
}

const FIRST = ['Ada', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jill', 'Kenji', 'Lucia', 'Mei', 'Noah', 'Olga', 'Priya'];
const LAST = ['Okafor', 'Schmidt', 'Wang', 'Silva', 'Kowalski', 'Haddad', 'Tanaka', 'Moreau', 'Novak', 'Reyes', 'Larsen', 'Singh'];
const SITES = [
  { location: 'San Jose', dataCenter: 'SC', rtt: 25 },
  { location: 'New York', dataCenter: 'NY', rtt: 35 },
  { location: 'Denver', dataCenter: 'DV', rtt: 45 },
  { location: 'Amsterdam', dataCenter: 'AM', rtt: 60 },
  { location: 'Frankfurt', dataCenter: 'FR', rtt: 65 },
  { location: 'Sydney', dataCenter: 'SY', rtt: 110 },
  { location: 'Tokyo', dataCenter: 'TY', rtt: 95 },
  { location: 'Mumbai', dataCenter: 'MB', rtt: 130 },
] as const;
const DEVICES = [
  { device: 'Windows', mic: 'Jabra Evolve2 65', speaker: 'Jabra Evolve2 65', camera: 'Logitech BRIO', detail: 'Windows 11 Pro 23H2', client: 'Windows desktop client' },
  { device: 'Mac', mic: 'MacBook Pro Microphone', speaker: 'MacBook Pro Speakers', camera: 'FaceTime HD Camera', detail: 'macOS 14.5', client: 'Mac desktop client' },
  { device: 'iOS', mic: 'iPhone Microphone', speaker: 'iPhone Speaker', camera: 'Front Camera', detail: 'iPhone15,2 iOS 17.5', client: 'iOS client' },
  { device: 'Android', mic: 'Built-in Microphone', speaker: 'Built-in Speaker', camera: 'Front Camera', detail: 'Pixel 8 Android 14', client: 'Android client' },
] as const;

export function simulatedAccountId(seed: number): string {
  return createSeededRandom(mixSeed(seed, 0xacc)).chars(22, BASE64URL_ALPHABET);
}

export function simulatedMeeting(seed: number, meetingIndex: number): SimulatedMeeting {
  const random = createSeededRandom(mixSeed(seed, 0x3ee7, meetingIndex));
  return {
    uuid: random.bytes(16).toString('base64'),
    id: String(random.int(81_000_000_000, 99_999_999_999)),
    hasScreenShare: random.chance(0.7),
  };
}

export function simulatedParticipant(seed: number, meetingIndex: number, participantIndex: number): SimulatedParticipant {
  const random = createSeededRandom(mixSeed(seed, 0xba27, meetingIndex, participantIndex));
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  const external = random.chance(0.2);
  const mobile = random.chance(0.2);
  const kind = mobile ? random.pick(DEVICES.slice(2)) : random.chance(0.62) ? DEVICES[0] : DEVICES[1];
  const networkType: NetworkType = mobile ? random.pick(['Wifi', 'Cellular'] as const) : random.pick(['Wired', 'Wifi', 'Wifi'] as const);
  const site = random.pick(SITES);
  const wireless = networkType !== 'Wired';
  const internalIp = `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(2, 254)}`;
  const port = (): string => String(random.int(49152, 65535));
  const version = `6.${random.int(0, 4)}.${random.int(0, 12)}.${random.int(30000, 59999)}`;
  const hex = (): string => random.chars(2, '0123456789ABCDEF');
  const handle = `${first}.${last}`.toLowerCase();
  const data: Record<string, string> = {
    device: kind.device,
    location: site.location,
    network_type: networkType,
    microphone: kind.mic,
    speaker: kind.speaker,
    camera: kind.camera,
    data_center: site.dataCenter,
    connection_type: random.pick(['UDP', 'UDP', 'UDP', 'TCP', 'SSL', 'P2P']),
    pc_name: mobile ? `${first}'s ${kind.device === 'iOS' ? 'iPhone' : 'Phone'}` : `${first.toUpperCase()}-${kind.device === 'Mac' ? 'MBP' : 'PC'}${random.int(10, 99)}`,
    domain: mobile ? '' : 'corp.example.com',
    mac_addr: `00:00:5E:00:53:${hex()}`,
    harddisk_id: random.chars(12, '0123456789ABCDEF'),
    version,
    signaling_ip_address: `${random.pick(['192.0.2', '198.51.100', '203.0.113'])}.${random.int(1, 254)}`,
    signaling_internal_ip_address: internalIp,
    signaling_internal_ip_port: port(),
    audio_internal_ip_address: internalIp,
    audio_internal_ip_port: port(),
    video_internal_ip_address: internalIp,
    video_internal_ip_port: port(),
    as_internal_ip_address: internalIp,
    as_internal_ip_port: port(),
    destination_ip_domain: `${site.dataCenter.toLowerCase()}${random.int(10, 99)}mmr.zoom.example`,
    destination_ip_port: String(random.pick([8801, 8801, 8802, 443])),
  };
  return {
    participantId: String(16_777_216 + (participantIndex + 1) * 1024),
    participantUserId: external ? '' : random.chars(22, BASE64URL_ALPHABET),
    email: external ? '' : `${handle}@example.com`,
    userName: `${first} ${last}`,
    networkType,
    cameraOn: random.chance(0.75),
    presenter: participantIndex === 0,
    baseLatencyMs: site.rtt + random.int(5, 40) + (networkType === 'Cellular' ? 40 : 0),
    baseJitterMs: (wireless ? 4 : 1) + random.int(0, networkType === 'Cellular' ? 12 : 5),
    baseLossPct: networkType === 'Wired' ? random.float(0, 0.1) : random.float(0.05, networkType === 'Cellular' ? 2.5 : 0.8),
    baseCpuPct: mobile ? random.int(15, 35) : random.int(4, 22),
    data,
    deviceDetail: kind.detail,
    client: `${kind.client} ${version}`,
  };
}

/**
 * The same participant on a bad network: much higher latency, jitter and loss, a busier CPU, a
 * fraction of the bitrate, and loss bursts in some minutes. Draws only from `random`, so the healthy
 * participant's own stream (and every healthy participant's traffic) is unchanged.
 */
export function degradeParticipant(participant: SimulatedParticipant, random: SeededRandom): SimulatedParticipant {
  return {
    ...participant,
    baseLatencyMs: participant.baseLatencyMs + random.int(60, 220),
    baseJitterMs: random.int(25, 80),
    baseLossPct: random.float(1.5, 6),
    baseCpuPct: Math.min(90, participant.baseCpuPct + random.int(10, 40)),
    degradation: { bitrateFactor: random.float(0.12, 0.4), burstChance: random.float(0.2, 0.45) },
  };
}
