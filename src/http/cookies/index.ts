/**
 * Cookies (RFC 6265): wire parsing and building, the client jar with its storage model,
 * Netscape cookies.txt, and signed login sessions.
 */
export * from './cookie.js';
export * from './jar.js';
export * from './netscape.js';
export * from './session.js';
