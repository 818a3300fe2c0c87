/** The emulator's public face: one interface, implemented in-process and over HTTP. */
export { EmulatorControlClient } from './client';
export { ControlError } from './errors';
export { inProcessControl, type ControlParts } from './inProcess';
export { CONTROL_ROUTES, controlRouter } from './router';
export type * from './types';
