/** sysexits(3) codes, as rabbitmqctl uses them, so scripts can tell failures apart. */
export const EXIT = {
  OK: 0,
  /** the API said no in a way rabbitmqctl has no code for */
  ERROR: 1,
  /** bad command line: unknown command or option, wrong arguments; also rabbitmqctl's code for delete_queue refusals */
  USAGE: 64,
  /** the API rejected a value (400), an input is not valid JSON, or a vhost does not exist (delete_vhost, list_policies) */
  DATAERR: 65,
  /** an input file cannot be read */
  NOINPUT: 66,
  /** a user does not exist (EX_NOUSER) */
  NOUSER: 67,
  /** the node cannot be reached; also rabbitmqctl's code for "not found" in purge_queue, clear_policy, set_permissions */
  UNAVAILABLE: 69,
  /** the node failed (5xx) or answered something unexpected; also "user already exists" */
  SOFTWARE: 70,
  /** an output file cannot be written */
  CANTCREAT: 73,
  /** the node did not answer in time */
  TEMPFAIL: 75,
  /** wrong credentials, or a user without the tag an operation needs */
  NOPERM: 77,
} as const;

/**
 * How the failure is printed, as rabbitmqctl prints it: `Error: message` (inline), `Error:\nmessage`
 * (block: what the node refused), the message alone (bare: rabbitmqctl's "Virtual host 'x' does not
 * exist"), or `Error (argument validation): message` (validation; usage errors add the usage).
 */
export type ErrorStyle = 'inline' | 'block' | 'bare' | 'validation';

/** A failure with the exit code it maps to; run() prints it in its style (and the usage for EXIT.USAGE). */
export class CtlError extends Error {
  override readonly name = 'CtlError';
  constructor(
    message: string,
    readonly code: number,
    readonly style: ErrorStyle = 'inline',
    /** for usage errors: the command whose usage to print */
    readonly command?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, command?: string): CtlError => new CtlError(message, EXIT.USAGE, 'validation', command);

/** What the node refused, worded and coded as rabbitmqctl 3.10 does for the same case. */
export const refusal = (message: string, code: number): CtlError => new CtlError(message, code, 'block');

/** rabbitmqctl's "Error (argument validation): Bad argument: ..." (exit 65), for a file or format it cannot use. */
export const badArgument = (message: string): CtlError => new CtlError(`Bad argument: ${message}`, EXIT.DATAERR, 'validation');

/** rabbitmqctl's bare line (exit 65) for a vhost that does not exist in delete_vhost, set_policy, list_policies. */
export const noVhost = (vhost: string): CtlError => new CtlError(`Virtual host '${vhost}' does not exist`, EXIT.DATAERR, 'bare');
