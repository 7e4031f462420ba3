// Errors the service itself raises (not the SDK's): a stable `code` the error page shows, an HTTP status, and a
// message written here, so it can never carry a value from the request.

export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.status = status;
  }
}
