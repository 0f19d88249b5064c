import type { LocalStack } from '../../local/stack';

/** A hold in place: `reached` once a matching request waits at it; `release` lets it (and any later match) through. */
export interface RequestHold {
  readonly reached: Promise<void>;
  release(): void;
}

/**
 * Holds the stack's DynamoDB requests that match until released, so a test can act while a
 * handler waits in the middle of its work (a message's put, the router's assignment write).
 * Install once per stack, in useLocalStack's ready callback.
 */
export class DynamoDbRequestHolds {
  private active:
    | { readonly matches: (commandName: string, input: string) => boolean; readonly gate: Promise<void>; readonly hit: () => void }
    | undefined;

  constructor(stack: LocalStack) {
    stack.wiring().clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const hold = this.active;
        if (hold?.matches(context.commandName ?? '', JSON.stringify(args.input))) {
          hold.hit();
          await hold.gate;
        }
        return next(args);
      },
      { step: 'initialize', name: 'testRequestHolds' },
    );
  }

  /** Holds requests whose command name and serialized input `matches` accepts. */
  hold(matches: (commandName: string, input: string) => boolean): RequestHold {
    let hit!: () => void;
    let open!: () => void;
    const reached = new Promise<void>((resolve) => {
      hit = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.active = { matches, gate, hit };
    return {
      reached,
      release: () => {
        this.active = undefined;
        open();
      },
    };
  }
}
