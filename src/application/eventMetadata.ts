/** Who caused an event (DESIGN §6). */
export type EventSource =
  'api' | 'gateway' | 'notification' | 'reconciler' | 'cli' | 'policy' | 'bill';

export const eventSources: readonly EventSource[] = [
  'api',
  'gateway',
  'notification',
  'reconciler',
  'cli',
  'policy',
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

/**
 * The context of a command a recorded event causes (a reactor's): the event's correlation,
 * the event itself as the cause.
 */
export const causedBy = (
  recorded: { id: string; metadata: Record<string, unknown> },
  source: EventSource,
): CommandContext => {
  const correlationId = recorded.metadata['correlationId'];
  return {
    correlationId: typeof correlationId === 'string' ? correlationId : recorded.id,
    causationId: recorded.id,
    source,
  };
};
