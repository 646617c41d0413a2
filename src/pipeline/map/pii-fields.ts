// Which JSON keys inside a Zoom QSS `payload` hold personal data: exact key names plus key
// suffixes, matched case-sensitively wherever the key appears. Data only (pure); the reasoning for
// each entry and for the ids that are kept is in docs/pii.md, and a test keeps the two in sync.

/**
 * Exact key names (Zoom's casing). Keys already covered by a suffix in PII_FIELD_SUFFIXES are not
 * repeated here. The last group is not in today's QSS schemas: Zoom adds fields over time, and these
 * names carry personal data in Zoom's other event and REST schemas (meetings, Phone call logs,
 * Dashboard QoS).
 */
export const PII_FIELDS: ReadonlySet<string> = new Set([
  // people
  'email', // participant.email (meetings/webinars)
  'user_name', // participant.user_name: display name (qos_summary)
  'name', // user.name: Video SDK user name (session events)
  'user_key', // user.user_key: the Video SDK developer's own user identifier (free-form)
  // free text
  'session_name', // object.session_name (session events)
  // the participant's machine (data[] items)
  'pc_name',
  'domain', // Windows/PC domain
  'mac_addr',
  'harddisk_id',
  'microphone', // device names often carry the owner's name ("Jill's AirPods")
  'speaker',
  'camera',
  // defensive: not in the QSS schemas today
  'topic',
  'ip_address',
  'caller_name',
  'callee_name',
  'caller_number',
  'callee_number',
  'caller_did_number',
  'callee_did_number',
  'phone_number',
]);

/**
 * Key suffixes: every key ending in one of these is personal, whatever its prefix. Today they cover
 * `user_email` (phone), the `signaling_/…_internal_ip_address` keys, the `…_ip_port` keys and
 * `destination_ip_domain` (data[] items); a new `*_ip_address` or `*_email` key Zoom adds is covered
 * without a code change.
 */
export const PII_FIELD_SUFFIXES: readonly string[] = ['_email', '_ip_address', '_ip_port', '_ip_domain'];

/** True when `key` names personal data: an exact name, or one of the suffixes. Case-sensitive. */
export function isPiiField(key: string): boolean {
  if (PII_FIELDS.has(key)) return true;
  // Only keys ending in a letter some suffix ends in can match: most keys stop here.
  if (!SUFFIX_LAST_CHARS.has(key.charCodeAt(key.length - 1))) return false;
  for (let i = 0; i < PII_FIELD_SUFFIXES.length; i++) {
    if (key.endsWith(PII_FIELD_SUFFIXES[i] as string)) return true;
  }
  return false;
}

const SUFFIX_LAST_CHARS: ReadonlySet<number> = new Set(PII_FIELD_SUFFIXES.map((s) => s.charCodeAt(s.length - 1)));
