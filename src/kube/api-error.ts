// An HTTP error answer from the apiserver, shared by the controller's client and the plugin's light one.

/** The status code, the Status object the apiserver sent as body, and the answer's headers. */
export class ApiError extends Error {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(code: number, message: string, body: unknown, headers: Record<string, string>) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}
