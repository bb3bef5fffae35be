// The TCP connections a process group holds, read from Linux's /proc: after a cancel they say which
// database sessions belonged to the killed Alembic run when nothing else can (asyncpg ignores
// PGAPPNAME, and `application_name=` in the URL overrides it). The server sees each session's client
// address and port, which are the local end of one of these connections (unless a proxy or NAT sits in
// between). Elsewhere than Linux this answers `undefined`: the caller says that it could not tell.
import fs from 'node:fs';
import path from 'node:path';

export interface SocketEnd {
  /** Canonical text: dotted IPv4 (IPv4-mapped IPv6 included), compressed IPv6. */
  address: string;
  port: number;
}

export interface TcpConnection {
  local: SocketEnd;
  remote: SocketEnd;
}

/** Processes whose process group is `pgid` (a detached child and everything it started). */
function groupMembers(pgid: number, procRoot: string): number[] {
  const out: number[] = [];
  let names: string[];
  try { names = fs.readdirSync(procRoot); } catch { return out; }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try { stat = fs.readFileSync(path.join(procRoot, name, 'stat'), 'utf8'); } catch { continue; }
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) out.push(Number(name));
  }
  return out;
}

function socketInodes(pid: number, procRoot: string): Set<string> {
  const inodes = new Set<string>();
  const dir = path.join(procRoot, String(pid), 'fd');
  let fds: string[];
  try { fds = fs.readdirSync(dir); } catch { return inodes; }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(path.join(dir, fd)));
      if (m?.[1]) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  return inodes;
}

/** `0100007F:1F90` (IPv4, little-endian words) or 32 hex digits (IPv6, four little-endian words). */
export function decodeProcAddress(hex: string): SocketEnd | undefined {
  const [addr, port] = hex.split(':');
  if (!addr || !port) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < addr.length; w += 8) {
    const word = parseInt(addr.slice(w, w + 8), 16);
    bytes.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, (word >>> 24) & 0xff);
  }
  let address: string | undefined;
  if (bytes.length === 4) address = bytes.join('.');
  else if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
    address = canonicalAddress(groups.join(':'));
  }
  return address === undefined ? undefined : { address, port: parseInt(port, 16) };
}

/** One text per address, whatever the notation: `::ffff:127.0.0.1` is `127.0.0.1`, IPv6 compressed. */
export function canonicalAddress(text: string): string {
  const t = text.trim().replace(/\/\d+$/, '');
  if (!t.includes(':')) return t;
  let host: string;
  try { host = new URL(`http://[${t}]/`).hostname.replace(/^\[|\]$/g, ''); } catch { return t.toLowerCase(); }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped?.[1] && mapped[2]) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return host;
}

/**
 * Established TCP connections of every process in the group, or undefined when /proc cannot tell
 * (not Linux, or the group is gone).
 */
export function tcpConnectionsOfGroup(pgid: number, procRoot = '/proc'): TcpConnection[] | undefined {
  if (process.platform !== 'linux') return undefined;
  const members = groupMembers(pgid, procRoot);
  if (members.length === 0) return undefined;
  const inodes = new Set<string>();
  for (const pid of members) for (const inode of socketInodes(pid, procRoot)) inodes.add(inode);
  const out: TcpConnection[] = [];
  // The tables are per network namespace; the group shares the first member's.
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try { text = fs.readFileSync(path.join(procRoot, String(members[0]), 'net', table), 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local_address rem_address st … inode (field 9); st 01 is ESTABLISHED.
      if (f.length < 10 || f[3] !== '01' || !inodes.has(f[9] ?? '')) continue;
      const local = decodeProcAddress(f[1] ?? '');
      const remote = decodeProcAddress(f[2] ?? '');
      if (local && remote) out.push({ local, remote });
    }
  }
  return out;
}
