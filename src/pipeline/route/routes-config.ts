// Schema and type of `routes:` in sinks.yaml: which events go to which sinks. An event goes to a
// sink when at least one route that lists the sink matches it; without `routes:` every sink gets
// every event. docs/routing.md explains matching with examples.

export interface FieldPredicateConfig {
  /** Dotted path into the Zoom body, e.g. `payload.object.participant.data_center`; digits index arrays. */
  field: string;
  equals?: string | number | boolean;
  in?: (string | number)[];
  matches?: string;
  exists?: boolean;
}

export interface RouteConfig {
  name?: string;
  events?: string[];
  accounts?: string[];
  apps?: string[];
  where?: FieldPredicateConfig[];
  sinks: string[];
}

const predicateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field'],
  description: 'One test on a field of the Zoom body: exactly one of `equals`, `in`, `matches`, `exists`.',
  properties: {
    field: { type: 'string', pattern: '^[^.]+(\\.[^.]+)*$', description: 'Dotted path into the Zoom body (`payload.object.participant.user_name`); a number picks an array item.' },
    equals: { type: ['string', 'number', 'boolean'], description: 'The field equals this value (numbers and strings compare as text: `123` matches `"123"`).' },
    in: { type: 'array', minItems: 1, items: { type: ['string', 'number'] }, description: 'The field equals one of these values.' },
    matches: { type: 'string', minLength: 1, description: 'The field (as text) matches this regular expression, unanchored (`^…$` to anchor), in RE2 syntax (https://github.com/google/re2/wiki/Syntax): linear-time matching, so no backreferences or lookaround.' },
    exists: { type: 'boolean', description: '`true`: the field is present and not null; `false`: it is not.' },
  },
} as const;

export const routesConfigSchema = {
  type: 'array',
  description: 'Which events go to which sinks. An event goes to a sink when any route listing that sink matches it. Leave `routes` out to send every event to every sink.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['sinks'],
    description: 'A route: conditions (all must hold; a list holds when any entry matches) and the sinks it sends to.',
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,63}$', description: 'A name for `explain` and logs. Default: `route-<n>` (1-based).' },
      events: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', minLength: 1 },
        description: 'Event types, with `*` globs (`meeting.*`, `*.participant_qos`). Default: every event.',
      },
      accounts: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 }, description: 'Zoom account ids. Default: every account.' },
      apps: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 }, description: 'Zoom app names (`zoom.apps` in forwarder.yaml). Default: every app.' },
      where: { type: 'array', minItems: 1, items: predicateSchema, description: 'Field tests on the Zoom body; all must hold.' },
      sinks: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'Names of the sinks (under `sinks:`) that get the matching events.' },
    },
  },
} as const;
