/** Who caused an event (DESIGN §6). */
export type EventSource = 'api' | 'gateway' | 'notification' | 'reconciler' | 'cli' | 'bill';

export const eventSources: readonly EventSource[] = [
  'api',
  'gateway',
  'notification',
  'reconciler',
  'cli',
  'bill',
];

/** Bump when the shape of an event's data changes; readers upcast older versions. */
export const currentSchemaVersion = 1;

export type EventMetadata = {
  correlationId: string;
  causationId: string;
  source: EventSource;
  schemaVersion: number;
};

/** What a caller says about a command; the schema version is added when its events are stored. */
export type CommandContext = Omit<EventMetadata, 'schemaVersion'>;
