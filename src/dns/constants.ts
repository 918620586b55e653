/**
 * DNS registry numbers: RR types, classes, response codes, opcodes and EDNS option codes, as
 * `as const` objects (no `enum`, see STYLE.md) with number <-> mnemonic helpers. Unknown numbers
 * get the generic `TYPE123` / `CLASS123` names of RFC 3597 §5 so every value has a spelling.
 */

/** Resource record TYPE values (RFC 1035 §3.2.2 and later registrations in the IANA registry). */
export const RRType = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  SIG: 24,
  KEY: 25,
  AAAA: 28,
  LOC: 29,
  SRV: 33,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  DNAME: 39,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
  URI: 256,
  CAA: 257,
} as const;

/** A known type mnemonic such as `'MX'`. */
export type RRTypeName = keyof typeof RRType;

/** CLASS values (RFC 1035 §3.2.4, RFC 2136 §2.4 for NONE). */
export const RRClass = {
  IN: 1,
  CS: 2,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const;

/** A known class mnemonic such as `'IN'`. */
export type RRClassName = keyof typeof RRClass;

/**
 * Response codes. Values above 15 only exist with EDNS (RFC 6891 §6.1.3: the OPT record carries
 * the upper 8 bits of a 12-bit RCODE).
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADMODE: 19,
  BADNAME: 20,
  BADALG: 21,
  BADTRUNC: 22,
  BADCOOKIE: 23,
} as const;

/** A known rcode mnemonic. */
export type RcodeName = keyof typeof Rcode;

/** Header OPCODE values (RFC 1035 §4.1.1, RFC 1996 NOTIFY, RFC 2136 UPDATE). */
export const Opcode = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
  DSO: 6,
} as const;

/** A known opcode mnemonic. */
export type OpcodeName = keyof typeof Opcode;

/** EDNS0 option codes (RFC 6891 §6.1.2 registry) that tools commonly print by name. */
export const EdnsOption = {
  NSID: 3,
  CLIENT_SUBNET: 8,
  EXPIRE: 9,
  COOKIE: 10,
  TCP_KEEPALIVE: 11,
  PADDING: 12,
  EDE: 15,
} as const;

function invert(obj: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, value] of Object.entries(obj)) if (!out.has(value)) out.set(value, name);
  return out;
}

const typeNames = invert(RRType);
const classNames = invert(RRClass);
const rcodeNames = invert(Rcode);
const opcodeNames = invert(Opcode);
const typeByName = new Map<string, number>(Object.entries(RRType));
const classByName = new Map<string, number>(Object.entries(RRClass));

/** Mnemonic of a type number, or `TYPE<n>` (RFC 3597 §5) when unassigned here. */
export function typeToString(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/** Mnemonic of a class number, or `CLASS<n>` (RFC 3597 §5). */
export function classToString(cls: number): string {
  return classNames.get(cls) ?? `CLASS${cls}`;
}

/** Mnemonic of an rcode, or `RCODE<n>` as dig prints unknown ones. */
export function rcodeToString(rcode: number): string {
  return rcodeNames.get(rcode) ?? `RCODE${rcode}`;
}

/** Mnemonic of an opcode, or `OPCODE<n>`. */
export function opcodeToString(opcode: number): string {
  return opcodeNames.get(opcode) ?? `OPCODE${opcode}`;
}

function parseGeneric(text: string, prefix: string): number | undefined {
  if (text.length <= prefix.length || text.slice(0, prefix.length).toUpperCase() !== prefix) return undefined;
  const digits = text.slice(prefix.length);
  if (!/^[0-9]{1,5}$/.test(digits)) return undefined;
  const n = Number(digits);
  return n <= 0xffff ? n : undefined;
}

/**
 * Type number for a mnemonic (case-insensitive) or a generic `TYPE<n>` name (RFC 3597 §5);
 * `undefined` when the text is neither.
 */
export function typeFromString(text: string): number | undefined {
  return typeByName.get(text.toUpperCase()) ?? parseGeneric(text, 'TYPE');
}

/** Class number for a mnemonic (case-insensitive) or `CLASS<n>`; `undefined` otherwise. */
export function classFromString(text: string): number | undefined {
  return classByName.get(text.toUpperCase()) ?? parseGeneric(text, 'CLASS');
}

/**
 * Meta and pseudo types that may appear in questions or as protocol machinery but never as data
 * in a zone (RFC 6895 §3.1: 128-255 are Q/meta types; OPT is a pseudo-RR, RFC 6891 §6.1.1).
 */
export function isMetaType(type: number): boolean {
  return type === RRType.OPT || (type >= 128 && type <= 255);
}
