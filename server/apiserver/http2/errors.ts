/**
 * HTTP/2 error codes (RFC 9113, section 7) and the error that carries one. A connection error
 * ends the connection with GOAWAY; a stream error resets only its stream.
 *
 * @module
 */

/** The error codes this server sends. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

/** A violation of the protocol by the peer, with the code to answer it with. */
export class Http2Error extends Error {
  /** @param code one of {@link ErrorCode}. */
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "Http2Error";
  }

  /** A malformed header block: the connection's HPACK state is lost, so the connection ends. */
  static compression(message: string): Http2Error {
    return new Http2Error(ErrorCode.COMPRESSION_ERROR, message);
  }

  static protocol(message: string): Http2Error {
    return new Http2Error(ErrorCode.PROTOCOL_ERROR, message);
  }
}
