/** The browser-mode bridge's wire protocol, named once (the server side lives in electron/bridge/). */
export const BRIDGE_TOKEN_META = 'fieldline-bridge-token';
export const BRIDGE_INVOKE_PATH = '/api/invoke';
export const BRIDGE_EVENTS_PATH = '/api/events';
/** The token rides in the WebSocket subprotocol, since a browser cannot set headers on the upgrade. */
export const bridgeSubprotocol = (token: string): string => `fieldline.${token}`;
