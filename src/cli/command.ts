import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../infrastructure/config/config.js';
import { errorMessage } from '../application/errorMessage.js';
import type { CommandIo } from './commandIo.js';
import { UsageError } from './usageError.js';

/**
 * An option as node:util parseArgs takes it, and as the usage shows it: `value` names the value
 * of a string option (`--stale-after SECONDS`); `required` ones are shown without brackets and
 * refused when missing.
 */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  value?: string;
  required?: boolean;
};
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A word after the command: `<name>` required, `[name]` optional, `[name...]` any number. */
export type Operand = { name: string; required?: boolean; repeatable?: boolean };

type Parsed<O extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** What a command runs with: its options (typed from its spec), its operands, the configuration. */
export type CommandArgs<O extends OptionSpecs> = {
  values: Parsed<O>['values'];
  operands: string[];
  config: Config;
};

export type CommandSpec<O extends OptionSpecs> = {
  /** The words that name it: `audit`, `projections rebuild`. */
  name: string;
  operands?: readonly Operand[];
  options: O;
  /** One sentence or two for the usage text (wrapped there). */
  description: string;
  run: (args: CommandArgs<O>, io: CommandIo) => Promise<number>;
};

/** A command of the table, its option types erased: parse its arguments, then run it. */
export type Command = {
  name: string;
  /** `history <outRefundNo> [--json]` */
  synopsis: string;
  description: string;
  /** Parses the arguments after the name (UsageError if they are wrong) into a runnable command. */
  parse: (argv: string[]) => (config: Config, io: CommandIo) => Promise<number>;
};

const operandSynopsis = ({ name, required, repeatable }: Operand): string =>
  required ? `<${name}>` : `[${name}${repeatable ? '...' : ''}]`;

const optionSynopsis = ([name, option]: [string, OptionSpec]): string => {
  const text = option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`;
  return option.required ? text : `[${text}]`;
};

const checkOperands = (name: string, operands: readonly Operand[], given: string[]): void => {
  if (operands.length === 0) {
    if (given.length > 0) throw new UsageError(`${name} takes no arguments: ${given.join(' ')}`);
    return;
  }
  const least = operands.filter((operand) => operand.required).length;
  const most = operands.some((operand) => operand.repeatable) ? Infinity : operands.length;
  if (given.length < least || given.length > most) {
    const wanted = operands.map((operand) =>
      operand.required ? `one ${operand.name}` : `an optional ${operand.name}`,
    );
    throw new UsageError(`${name} takes ${wanted.join(' and ')}`);
  }
};

/** A command for the table: its usage line and its parsing come from its spec. */
export const defineCommand = <const O extends OptionSpecs>(spec: CommandSpec<O>): Command => {
  const operands = spec.operands ?? [];
  return {
    name: spec.name,
    synopsis: [
      spec.name,
      ...operands.map(operandSynopsis),
      ...Object.entries(spec.options).map(optionSynopsis),
    ].join(' '),
    description: spec.description,
    parse: (argv) => {
      let parsed: Parsed<O>;
      try {
        parsed = parseArgs({
          args: argv,
          options: spec.options,
          allowPositionals: true,
          strict: true,
        });
      } catch (error) {
        throw new UsageError(errorMessage(error));
      }
      for (const [option, { required }] of Object.entries(spec.options)) {
        if (required && !(option in parsed.values)) throw new UsageError(`--${option} is required`);
      }
      checkOperands(spec.name, operands, parsed.positionals);
      return (config, io) =>
        spec.run({ values: parsed.values, operands: parsed.positionals, config }, io);
    },
  };
};
