/** sysexits(3) codes, as rabbitmqctl uses them, so scripts can tell failures apart. */
export const EXIT = {
  OK: 0,
  /** the API said no: not found, already exists, and other refusals */
  ERROR: 1,
  /** bad command line: unknown command or option, wrong arguments */
  USAGE: 64,
  /** the API rejected a value (400), or an input file is not valid JSON */
  DATAERR: 65,
  /** an input file cannot be read */
  NOINPUT: 66,
  /** the node cannot be reached */
  UNAVAILABLE: 69,
  /** the node failed (5xx) or answered something unexpected */
  SOFTWARE: 70,
  /** an output file cannot be written */
  CANTCREAT: 73,
  /** the node did not answer in time */
  TEMPFAIL: 75,
  /** wrong credentials, or a user without the tag an operation needs */
  NOPERM: 77,
} as const;

/** A failure with the exit code it maps to; main prints `Error: message` (and usage for EXIT.USAGE). */
export class CtlError extends Error {
  override readonly name = 'CtlError';
  constructor(
    message: string,
    readonly code: number,
    /** for usage errors: the command whose usage to print */
    readonly command?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, command?: string): CtlError => new CtlError(message, EXIT.USAGE, command);
