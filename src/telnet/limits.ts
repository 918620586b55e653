/**
 * Every bound the Telnet client keeps, in one place so the codec, the client and the CLI cannot
 * drift apart. RFC-given values cite the RFC; the others are our own policy against hostile
 * servers (endless sub-negotiation, negotiation storms) and say why they are as large as they are.
 */

/**
 * Largest sub-negotiation payload kept, in octets (our policy). The options we accept need far
 * less (NAWS 4, a TERMINAL-TYPE SEND 1, a NEW-ENVIRON SEND lists a few names); a longer one is
 * counted and dropped, so an IAC SB that never ends holds at most this much memory.
 */
export const MAX_SUBNEGOTIATION_OCTETS = 1024;

/** Longest terminal type name sent (RFC 1010's list: names of at most 40 characters). */
export const MAX_TERMINAL_TYPE_LENGTH = 40;

/**
 * Negotiation commands answered per option (our policy). RFC 1143 stops loops between two
 * correct peers, but a server may ask again and again (DO X, DONT X, DO X …) and each request
 * for a refused or toggled option needs an answer; past this many the client stops answering
 * that option, so a storm cannot make it write without end or flip the terminal mode forever.
 */
export const MAX_NEGOTIATIONS_PER_OPTION = 64;

/** Longest transcript line, in characters; longer data is cut into several entries. */
export const MAX_TRANSCRIPT_LINE = 1000;

/** The NAWS fields are 16-bit (RFC 1073). */
export const MAX_WINDOW_DIMENSION = 0xffff;

/** Name and value lengths kept for one NEW-ENVIRON variable (our policy). */
export const MAX_ENVIRON_VALUE = 256;
