/**
 * The typed shape of a DNS message as the codec hands it out and takes it in. Names are strings
 * in presentation form (see name.ts for the exact rules: absolute, trailing dot on output, RFC
 * 1035 §5.1 escapes for special octets, case kept as received). Record data is a discriminated
 * union on `type`: a mnemonic string for the types we understand and a number, with the raw
 * octets, for every other type (RFC 3597 §5 "unknown" handling). Binary fields are plain
 * Uint8Array copies, never views into a packet, so callers may reuse receive buffers.
 */

/** IPv4 address record (RFC 1035 §3.4.1). `address` is dotted-quad. */
export interface AData {
  readonly type: 'A';
  readonly address: string;
}

/** IPv6 address record (RFC 3596 §2.2). `address` is printed in RFC 5952 form. */
export interface AaaaData {
  readonly type: 'AAAA';
  readonly address: string;
}

/** Records whose data is a single domain name: NS, CNAME, PTR (RFC 1035 §3.3) and DNAME (RFC 6672). */
export interface NameData {
  readonly type: 'NS' | 'CNAME' | 'PTR' | 'DNAME';
  readonly target: string;
}

/** Mail exchanger (RFC 1035 §3.3.9). */
export interface MxData {
  readonly type: 'MX';
  readonly preference: number;
  readonly exchange: string;
}

/** Start of authority (RFC 1035 §3.3.13). Timer fields are seconds, serial is RFC 1982 arithmetic. */
export interface SoaData {
  readonly type: 'SOA';
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

/** Text strings (RFC 1035 §3.3.14): one or more character-strings, binary-safe, each <= 255 octets. */
export interface TxtData {
  readonly type: 'TXT';
  readonly strings: readonly Uint8Array[];
}

/** Host information (RFC 1035 §3.3.2): two character-strings. */
export interface HinfoData {
  readonly type: 'HINFO';
  readonly cpu: Uint8Array;
  readonly os: Uint8Array;
}

/** Service location (RFC 2782). */
export interface SrvData {
  readonly type: 'SRV';
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

/** Certification authority authorization (RFC 8659 §4.1). `tag` is ASCII; `value` is raw octets. */
export interface CaaData {
  readonly type: 'CAA';
  readonly flags: number;
  readonly tag: string;
  readonly value: Uint8Array;
}

/** Any other type, carried as opaque RDATA (RFC 3597 §5). `type` is the numeric TYPE. */
export interface OpaqueData {
  readonly type: number;
  readonly data: Uint8Array;
}

/** RDATA of any record. Narrow on `type` (a string for typed data, a number for opaque). */
export type RecordData =
  AData | AaaaData | NameData | MxData | SoaData | TxtData | HinfoData | SrvData | CaaData | OpaqueData;

/** Mnemonics of the types that have a typed representation. */
export type TypedRecordType = Exclude<RecordData['type'], number>;

/**
 * One resource record (RFC 1035 §4.1.3). `type` is the numeric TYPE and must agree with
 * `data.type` (the encoder checks). `ttl` is seconds, 0..2^31-1 on output (RFC 2181 §8).
 */
export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: RecordData;
}

/** One question entry (RFC 1035 §4.1.2). The name's case is kept exactly (DNS 0x20). */
export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/**
 * Header fields (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2). `rcode` is the FULL 12-bit
 * response code: the encoder moves bits 4..11 into the OPT record (RFC 6891 §6.1.3) and the
 * decoder joins them back.
 */
export interface Header {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  /** The reserved Z bit (must be zero on send, RFC 1035 §4.1.1); kept so round trips are exact. */
  readonly z: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: number;
}

/** Header plus the four section counts, as returned by the header-only peek. */
export interface HeaderWithCounts extends Header {
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

/** One EDNS option (RFC 6891 §6.1.2), payload kept as bytes. */
export interface EdnsOptionData {
  readonly code: number;
  readonly data: Uint8Array;
}

/**
 * The OPT pseudo-record as a structure (RFC 6891 §6.1). It is never listed in `additionals`.
 * `extendedRcode` is the raw upper-8-bit field as received; the encoder ignores it and derives
 * the field from `Header.rcode`, so there is one source of truth for the response code.
 */
export interface Edns {
  readonly udpPayloadSize: number;
  readonly extendedRcode: number;
  readonly version: number;
  /** The DO bit (RFC 3225). */
  readonly dnssecOk: boolean;
  /** The other 15 bits of the flags field (must be zero on send, RFC 6891 §6.1.4); kept for round trips. */
  readonly z: number;
  readonly options: readonly EdnsOptionData[];
}

/** A whole DNS message (RFC 1035 §4.1). */
export interface Message {
  readonly header: Header;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  /** Additional records, without the OPT pseudo-record (see `edns`). */
  readonly additionals: readonly ResourceRecord[];
  readonly edns?: Edns;
}
