/**
 * The real runtime's own error: a broker and kafkasim's codec share no version of an API a
 * request needs. Not a `BrokerConnectionError` (retrying cannot help), so the clients pass it
 * through to the caller at once, naming the address, the API and both version ranges.
 */
import { KafkasimError } from '../sim/errors.ts';

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export class UnsupportedVersionError extends KafkasimError {
  readonly code = 'UNSUPPORTED_VERSION';
  readonly retriable = false;
  constructor(
    readonly address: string,
    /** The wire API, e.g. "Metadata". */
    readonly api: string,
    /** What the broker implements (null: the API is absent from its ApiVersions answer). */
    readonly broker: VersionRange | null,
    /** What kafkasim can send for this request (its codec, narrowed by the request's meaning). */
    readonly client: VersionRange,
    detail?: string,
  ) {
    super(
      `${address}: unsupported version: the broker ${broker === null ? `does not implement ${api} at all` : `implements ${api} versions ${rangeText(broker)}`}, ` +
        `kafkasim can send ${api} versions ${rangeText(client)}${detail === undefined ? '' : ` (${detail})`}: no version in common`,
    );
  }
}

export function rangeText(range: VersionRange): string {
  return range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`;
}
