/** The two Electron IPC channels the app API travels on; the contract's channel name is an argument. */
export const INVOKE_CHANNEL = 'fieldline:invoke';
export const EVENT_CHANNEL = 'fieldline:event';
