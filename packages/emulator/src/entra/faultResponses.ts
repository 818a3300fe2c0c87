import type { Response } from 'express';
import type { Fault } from '../faults';
import { AadError, Errors, tokenErrorBody, type Trace } from './errors';
import { showError } from './respond';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const NON_JSON_PAGE =
  '<!DOCTYPE html><html><head><title>Service unavailable</title></head><body><h1>Service unavailable</h1>' +
  '<p>The gateway returned a page instead of the service response.</p></body></html>';

function faultError(fault: Required<Fault>, clientId: string): AadError | undefined {
  switch (fault.kind) {
    case '429':
      return Errors.temporarilyUnavailable(429);
    case '503':
      return Errors.temporarilyUnavailable(503);
    case '500':
      return Errors.serverError();
    case '401':
      return Errors.secretInvalid(clientId);
    default:
      return undefined;
  }
}

/**
 * The part of every fault answer the two kinds of endpoint share: `delay` only waits (the caller then
 * answers normally), `non-json` sends the gateway page, the status faults become an AADSTS error.
 * What differs is how a truncated body and an error look, which the caller supplies.
 */
async function answerFault(
  res: Response,
  fault: Required<Fault> | undefined,
  clientId: string,
  render: { truncated(): void; error(err: AadError): void },
): Promise<boolean> {
  if (!fault) return false;
  if (fault.kind === 'delay') {
    await sleep(fault.delayMs);
    return false;
  }
  if (fault.kind === 'truncated') {
    render.truncated();
    return true;
  }
  if (fault.kind === 'non-json') {
    res.status(200).type('text/html').send(NON_JSON_PAGE);
    return true;
  }
  const err = faultError(fault, clientId);
  if (!err) return false;
  if (fault.kind === '429' || fault.kind === '503') res.set('Retry-After', String(fault.retryAfter));
  render.error(err);
  return true;
}

/**
 * Answers a JSON endpoint (token, discovery) with an injected fault. Returns true when the response was
 * sent; a `delay` fault only waits, and the caller then answers normally.
 * `sample` is the JSON text a `truncated` fault cuts in half.
 */
export function sendJsonFault(
  res: Response,
  fault: Required<Fault> | undefined,
  trace: Trace,
  clientId: string,
  sample: () => string,
): Promise<boolean> {
  return answerFault(res, fault, clientId, {
    truncated: () => {
      const text = sample();
      res.status(200).type('application/json').send(text.slice(0, Math.floor(text.length / 2)));
    },
    error: (err) => res.status(err.spec.status).set('Cache-Control', 'no-store').json(tokenErrorBody(err.spec, trace)),
  });
}

/** The same for the authorize page: an error page with the fault's status (or a broken page). */
export function sendPageFault(res: Response, fault: Required<Fault> | undefined, trace: Trace, clientId: string): Promise<boolean> {
  return answerFault(res, fault, clientId, {
    truncated: () => res.status(200).type('text/html').send('<!DOCTYPE html><html><head><title>Sign in</title></head><body><main><h1>Sign'),
    error: (err) => showError(res, err, trace, fault ? Number(fault.kind) : undefined),
  });
}
