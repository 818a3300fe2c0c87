/**
 * A refused control operation, with the HTTP status the control endpoints answer it with: 400 bad input,
 * 404 unknown user, tenant or incident, 409 conflict. Both implementations reject with it.
 */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const badInput = (message: string) => new ControlError(400, message);
export const notFound = (message: string) => new ControlError(404, message);
