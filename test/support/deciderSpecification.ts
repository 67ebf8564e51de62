import { expect } from 'vitest';

type Decider<Command, Event, State> = {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: State;
};

/**
 * given(events).when(command).then(events) — the decider is specified by what happened
 * before and what a command makes happen, never by its internal state.
 */
export const deciderSpecification = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
) => ({
  given: (history: Event[]) => ({
    when: (command: Command) => {
      const run = () =>
        decider.decide(command, history.reduce(decider.evolve, decider.initialState));
      return {
        then: (expected: Event[]) => expect(run()).toEqual(expected),
        thenNothingHappens: () => expect(run()).toEqual([]),
        thenRejects: (code: string) => {
          expect(run).toThrowError(expect.objectContaining({ code }));
        },
      };
    },
  }),
});
